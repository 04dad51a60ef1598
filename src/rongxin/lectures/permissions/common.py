"""The roles of the lecture programme and the regions each may act on.

- **Lecture administrators** run the programme for the county (the publicity department, which
  runs the county's civilization-practice centre): a ``department_recorder`` grant for the
  ``publicity`` department over the county. They write and publish the sayings book, keep the
  speakers, adoption links, quota policy and lecture-team brands, dispatch any order and see
  every figure.
- **Town officers** act for their town's practice institute: they dispatch orders from their
  town, record sessions there and see their town's figures.
- **Orderers**: village officers (for their village or community and its schools), town officers,
  canteen managers (for a canteen in their region) and enterprise representatives (for their own
  enterprise) order lectures.
- **Speakers** sign in with the account linked to their :class:`Speaker` record (usually a
  ``lecturer`` grant); a lecture team's leaders act for their team.
- **Auditors** read every figure; they change nothing.

Missing and forbidden look the same (:class:`NotFound`).
"""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import active_grants, grant_covering, grants_with_roles
from rongxin.core.errors import NotFound
from rongxin.lectures.models import Speaker
from rongxin.regions.models import Region
from rongxin.volunteering.models import Membership, Team
from rongxin.volunteering.permissions import own_volunteer_or_none

PUBLICITY_DEPARTMENT = "publicity"
# The department whose award rules (P-PRA-01 listening, P-PRA-02 giving a lecture) credit sessions.
CREDIT_DEPARTMENT = "civilization_office"
LISTENER_RULE = "P-PRA-01"
SPEAKER_RULE = "P-PRA-02"

ORDERER_ROLES = frozenset({Role.VILLAGE_OFFICER, Role.TOWN_OFFICER, Role.CANTEEN_MANAGER, Role.ENTERPRISE_REP})


def signed_in(actor: User | AnonymousUser | None) -> TypeGuard[User]:
    return actor is not None and actor.is_authenticated


def lecture_admin_grants(actor: User | AnonymousUser | None) -> list[Grant]:
    """The actor's grants that make them a lecture administrator (publicity department, county)."""
    return [
        g
        for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER])
        if g.department is not None
        and g.department.code == PUBLICITY_DEPARTMENT
        and g.region.level == Region.Level.COUNTY
    ]


def is_lecture_admin(actor: User | AnonymousUser | None) -> bool:
    return bool(lecture_admin_grants(actor))


def require_lecture_admin(actor: User | AnonymousUser | None) -> Grant:
    grants = lecture_admin_grants(actor)
    if not grants:
        raise NotFound()
    return grants[0]


def is_auditor(actor: User | AnonymousUser | None) -> bool:
    return bool(grants_with_roles(actor, [Role.AUDITOR]))


def town_officer_covering(actor: User | AnonymousUser | None, region: Region) -> Grant | None:
    return grant_covering(actor, [Role.TOWN_OFFICER], region)


def covers_region(actor: User | AnonymousUser | None, region: Region) -> bool:
    """True when the actor runs lectures over ``region``: a lecture administrator, or a town
    officer whose town contains it."""
    return is_lecture_admin(actor) or town_officer_covering(actor, region) is not None


def managed_regions(actor: User | AnonymousUser | None) -> list[Region]:
    """The regions whose lectures the actor runs (county for administrators, towns for town
    officers); empty for everyone else."""
    admin = lecture_admin_grants(actor)
    if admin:
        return [admin[0].region]
    return [g.region for g in grants_with_roles(actor, [Role.TOWN_OFFICER])]


def figure_regions(actor: User | AnonymousUser | None) -> list[Region]:
    """The regions whose lecture figures the actor reads: as :func:`managed_regions`, and the
    county for auditors."""
    regions = managed_regions(actor)
    if regions:
        return regions
    return [g.region for g in grants_with_roles(actor, [Role.AUDITOR])]


def led_lecture_teams(actor: User | AnonymousUser | None) -> list[Team]:
    """The active lecture teams the actor leads (an accepted leader, with a team-leader grant over
    the team's home region), by name. Two queries whatever the number of teams."""
    grants = grants_with_roles(actor, [Role.TEAM_LEADER])
    if not grants:
        return []
    me = own_volunteer_or_none(actor)  # type: ignore[arg-type]
    if me is None:
        return []
    teams = Team.objects.select_related("region").filter(
        kind=Team.Kind.LECTURE,
        active=True,
        memberships__volunteer=me,
        memberships__role=Membership.Role.LEADER,
        memberships__status=Membership.Status.ACCEPTED,
    )
    return [t for t in teams.order_by("name", "id") if any(g.region.contains(t.region) for g in grants)]


def own_speaker(actor: User | AnonymousUser | None) -> Speaker | None:
    """The active speaker record linked to the actor's account, if any."""
    if not signed_in(actor) or not active_grants(actor):
        return None
    return Speaker.objects.select_related("area", "team", "subject").filter(user=actor, active=True).first()


def shows_lectures(user: User | AnonymousUser, roles: frozenset[str] | set[str]) -> bool:
    """Navigation: everyone signed in reads the sayings book."""
    return signed_in(user)


def shows_lecture_admin(user: User | AnonymousUser, roles: frozenset[str] | set[str]) -> bool:
    """Navigation: the programme's pages (speakers, quota, orders to dispatch, figures)."""
    return bool(figure_regions(user))
