"""Who may do what in volunteering. Missing and forbidden look the same (:class:`NotFound`).

- A volunteer acts for themself only: the account must be linked to the person (relation
  "own record"). Nobody signs anybody else up; an invitation takes effect when accepted.
- Team administrators (county credit office, town and village officers) create teams, appoint
  leaders and run call-outs for teams and regions inside their grant.
- A team's leaders organise its activities: they hold a team-leader grant covering the team's
  home region and an accepted leader membership of the team. A team administrator over the
  region may organise too (e.g. when a leader is away).
- Nobody decides on their own service record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant
from rongxin.accounts.permissions import grant_covering
from rongxin.core.errors import Forbidden, NotFound
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, Subject, SubjectAccount
from rongxin.volunteering.models import Activity, Correction, Membership, ServiceRecord, Shift, Team, Volunteer

TEAM_ADMINS = frozenset({Role.COUNTY_CREDIT_OFFICE, Role.TOWN_OFFICER, Role.VILLAGE_OFFICER})


def _signed_in(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def own_person(actor: Any) -> Person:
    """The person record the actor's account is linked to as their own. NotFound otherwise."""
    if not _signed_in(actor):
        raise NotFound()
    link = (
        SubjectAccount.objects.select_related("subject__person", "subject__village")
        .filter(user=actor, relation=SubjectAccount.Relation.SELF, subject__kind=Subject.Kind.PERSON)
        .first()
    )
    if link is None:
        raise NotFound()
    return link.subject.person


def own_volunteer(actor: Any, *, lock: bool = False) -> Volunteer:
    """The actor's own active volunteer record. NotFound if they have none."""
    if not _signed_in(actor):
        raise NotFound()
    # One query (every check-in and sign-up starts here): the volunteer of the person the
    # account is linked to as its own, as ``own_person`` finds it.
    qs = Volunteer.objects.select_related("subject__person", "subject__village").filter(
        subject__account_links__user=actor,
        subject__account_links__relation=SubjectAccount.Relation.SELF,
        subject__kind=Subject.Kind.PERSON,
        status=Volunteer.Status.ACTIVE,
    )
    if lock:
        qs = qs.select_for_update(of=("self",))  # not the joined rows (an outer join cannot be locked)
    volunteer = qs.order_by("subject__account_links__id").first()
    if volunteer is None:
        raise NotFound()
    return volunteer


def own_volunteer_or_none(actor: Any) -> Volunteer | None:
    try:
        return own_volunteer(actor)
    except NotFound:
        return None


def admin_grant(actor: Any, region: Region) -> Grant:
    """A team-administrator grant covering ``region``. NotFound otherwise."""
    if not _signed_in(actor):
        raise NotFound()
    grant = grant_covering(actor, TEAM_ADMINS, region)
    if grant is None:
        raise NotFound()
    return grant


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    grant: Grant
    leader: Volunteer | None  # the actor's own volunteer record when they act as a leader

    @property
    def role(self) -> str:
        return self.grant.role


def leads(actor: Any, team: Team) -> Volunteer | None:
    """The actor's volunteer record if they are an accepted leader of ``team``."""
    try:
        me = own_volunteer(actor)
    except NotFound:
        return None
    ok = Membership.objects.filter(
        team=team, volunteer=me, role=Membership.Role.LEADER, status=Membership.Status.ACCEPTED
    ).exists()
    return me if ok else None


def access_team_for_organising(*, actor: Any, team_id: int) -> TeamAccess:
    """The team if the actor leads it (with a team-leader grant over its region) or administers
    its region. NotFound otherwise."""
    if not _signed_in(actor):
        raise NotFound()
    team = Team.objects.select_related("region").filter(pk=team_id, active=True).first()
    if team is None:
        raise NotFound()
    grant = grant_covering(actor, [Role.TEAM_LEADER], team.region)
    if grant is not None:
        me = leads(actor, team)
        if me is not None:
            return TeamAccess(team=team, grant=grant, leader=me)
    grant = grant_covering(actor, TEAM_ADMINS, team.region)
    if grant is None:
        raise NotFound()
    return TeamAccess(team=team, grant=grant, leader=None)


def access_team_for_admin(*, actor: Any, team_id: int) -> TeamAccess:
    if not _signed_in(actor):
        raise NotFound()
    team = Team.objects.select_related("region").filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return TeamAccess(team=team, grant=admin_grant(actor, team.region), leader=None)


def access_activity_for_organising(
    *, actor: Any, activity_id: int, lock: bool = False, no_key: bool = False
) -> tuple[Activity, TeamAccess]:
    """The activity for an organiser of its team, locked when asked (``no_key``: FOR NO KEY
    UPDATE, which does not hold up rows inserted with a reference to it). NotFound otherwise."""
    qs = Activity.objects.select_related("team__region", "type", "region")
    if lock:
        qs = qs.select_for_update(of=("self",), no_key=no_key)
    activity = qs.filter(pk=activity_id).first() if _signed_in(actor) else None
    if activity is None:
        raise NotFound()
    return activity, access_team_for_organising(actor=actor, team_id=activity.team_id)


def can_organise(actor: Any, team: Team) -> bool:
    try:
        access_team_for_organising(actor=actor, team_id=team.pk)
    except NotFound:
        return False
    return True


def not_about_self(actor: Any, volunteer_id: int) -> None:
    """Nobody decides on their own service record."""
    try:
        me = own_person(actor)
    except NotFound:
        return
    if me.pk == volunteer_id:
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")


# --- API gates: the right to the object in the path, asked before the body is read ------------
def access_membership_for_deciding(actor: Any, *, membership_id: int) -> Membership:
    """The application if ``actor`` organises its team. Raises NotFound otherwise."""
    m = Membership.objects.filter(pk=membership_id).first()
    if m is None:
        raise NotFound()
    access_team_for_organising(actor=actor, team_id=m.team_id)
    return m


def access_own_record(actor: Any, *, record_id: int) -> ServiceRecord:
    """The current service record if it is ``actor``'s own. Raises NotFound otherwise."""
    record = ServiceRecord.objects.filter(pk=record_id, volunteer=own_volunteer(actor), current=True).first()
    if record is None:
        raise NotFound()
    return record


def team_admin_gate(actor: Any, *, team_id: int) -> None:
    access_team_for_admin(actor=actor, team_id=team_id)


def activity_organiser_gate(actor: Any, *, activity_id: int) -> None:
    access_activity_for_organising(actor=actor, activity_id=activity_id)


def correction_organiser_gate(actor: Any, *, correction_id: int) -> None:
    """An organiser of the corrected record's team. Raises NotFound otherwise."""
    team_id = (
        Correction.objects.filter(pk=correction_id).values_list("record__team_id", flat=True).first()
        if _signed_in(actor)
        else None
    )
    if team_id is None:
        raise NotFound()
    access_team_for_organising(actor=actor, team_id=team_id)


def shift_admin_gate(actor: Any, *, shift_id: int) -> None:
    """A team administrator over the shift's call-out region. Raises NotFound otherwise."""
    shift = Shift.objects.select_related("callout__region").filter(pk=shift_id).first() if _signed_in(actor) else None
    if shift is None:
        raise NotFound()
    admin_grant(actor, shift.callout.region)


def speaks_for_self(user: Any, roles: frozenset[str] | set[str]) -> bool:
    """A person who may volunteer: a resident, or anyone linked to their own person file."""
    return Role.RESIDENT in roles or user.subject_links.filter(relation="self", subject__kind="person").exists()


def administers_teams(user: Any, roles: frozenset[str] | set[str]) -> bool:
    return bool(roles & TEAM_ADMINS)
