"""Who may do what in volunteering: one question per action, asked by the service that does it,
by the API (as the gate of an operation whose path names an object) and by the page that
decides what to show. Missing and forbidden look the same (:class:`NotFound`).

- A volunteer acts for themself only: the account must be linked to the person (relation
  "own record"). Nobody signs anybody else up; an invitation takes effect when accepted.
- Team administrators (county credit office, town and village officers) create teams, appoint
  leaders and run call-outs for teams and regions inside their grant.
- A team's leaders organise its activities: they hold a team-leader grant covering the team's
  home region and an accepted leader membership of the team. A team administrator over the
  region may organise too (e.g. when a leader is away).
- Nobody decides on their own service record.
- A certificate is its volunteer's; its PDF is also for staff who may read the volunteer's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import grant_covering, grants_with_roles, user_roles
from rongxin.core.errors import Forbidden, NotFound
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, Subject, SubjectAccount
from rongxin.subjects.permissions import SubjectAccess, access_subject_for_read
from rongxin.volunteering.domain.certificates import normalise_number
from rongxin.volunteering.models import (
    Activity,
    CallOut,
    Certificate,
    Correction,
    Membership,
    Scan,
    ServiceRecord,
    Shift,
    Team,
    Volunteer,
)

TEAM_ADMINS = frozenset({Role.COUNTY_CREDIT_OFFICE, Role.TOWN_OFFICER, Role.VILLAGE_OFFICER})
ORGANISERS = frozenset({Role.TEAM_LEADER, *TEAM_ADMINS})
# The public certificate check: one rate per client address for the page and the API.
VERIFY_RATE_GROUP = "certificate.verify"
DEFAULT_VERIFY_RATE = "30/m"


def signed_in(actor: User | AnonymousUser | None) -> TypeGuard[User]:
    return actor is not None and actor.is_authenticated


# --- The volunteer themself -------------------------------------------------------------------
def own_person(actor: User | AnonymousUser) -> Person:
    """The person record the actor's account is linked to as their own. NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    link = (
        SubjectAccount.objects.select_related("subject__person", "subject__village")
        .filter(user=actor, relation=SubjectAccount.Relation.SELF, subject__kind=Subject.Kind.PERSON)
        .first()
    )
    if link is None:
        raise NotFound()
    return link.subject.person


def own_person_or_none(actor: User | AnonymousUser) -> Person | None:
    try:
        return own_person(actor)
    except NotFound:
        return None


def own_volunteer(actor: User | AnonymousUser, *, lock: bool = False) -> Volunteer:
    """The actor's own active volunteer record. NotFound if they have none."""
    if not signed_in(actor):
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


def own_volunteer_or_none(actor: User | AnonymousUser) -> Volunteer | None:
    """The actor's own active volunteer record, or None: whether they may sign up, apply to a
    team or take a shift at all (else they register first)."""
    try:
        return own_volunteer(actor)
    except NotFound:
        return None


def access_own_record(actor: User | AnonymousUser, *, record_id: int) -> ServiceRecord:
    """The current service record if it is ``actor``'s own (to ask for a correction). Raises
    NotFound otherwise."""
    record = (
        ServiceRecord.objects.select_related("activity", "team")
        .filter(pk=record_id, volunteer=own_volunteer(actor), current=True)
        .first()
    )
    if record is None:
        raise NotFound()
    return record


def access_own_scan(actor: User | AnonymousUser, *, scan_id: int) -> Scan:
    """One of the actor's own accepted scans. Raises NotFound otherwise."""
    scan = (
        Scan.objects.select_related("activity")
        .filter(pk=scan_id, volunteer=own_volunteer(actor), accepted=True)
        .first()
    )
    if scan is None:
        raise NotFound()
    return scan


def not_own_record(actor: User, volunteer: Volunteer) -> None:
    """Organisers may not record, verify or correct their own attendance. Raises Forbidden."""
    me = own_volunteer_or_none(actor)
    if me is not None and me.pk == volunteer.pk:
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")


# --- Team administrators ------------------------------------------------------------------------
def admin_grant(actor: User | AnonymousUser, region: Region) -> Grant:
    """A team-administrator grant covering ``region``. NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    grant = grant_covering(actor, TEAM_ADMINS, region)
    if grant is None:
        raise NotFound()
    return grant


def administers(actor: User | AnonymousUser, region: Region) -> bool:
    """Whether the actor is a team administrator over ``region`` (runs its teams and
    call-outs)."""
    return signed_in(actor) and grant_covering(actor, TEAM_ADMINS, region) is not None


def administers_somewhere(actor: User | AnonymousUser) -> bool:
    """Whether the actor may create teams and call-outs (in the regions of their grants)."""
    return signed_in(actor) and bool(grants_with_roles(actor, TEAM_ADMINS))


def admin_regions(actor: User | AnonymousUser) -> list[Region]:
    """The regions the actor administers teams in (each with everything under it). Raises
    NotFound when there are none: the actor may create no team and no call-out."""
    if not signed_in(actor):
        raise NotFound()
    regions = [g.region for g in grants_with_roles(actor, TEAM_ADMINS)]
    if not regions:
        raise NotFound()
    return regions


def organises_teams(actor: User | AnonymousUser) -> bool:
    """Whether the actor may have teams to organise (a team leader or a team administrator)."""
    return signed_in(actor) and bool(user_roles(actor) & ORGANISERS)


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    grant: Grant
    leader: Volunteer | None  # the actor's own volunteer record when they act as a leader

    @property
    def role(self) -> str:
        return self.grant.role


def leads(actor: User | AnonymousUser, team: Team) -> Volunteer | None:
    """The actor's volunteer record if they are an accepted leader of ``team``."""
    me = own_volunteer_or_none(actor)
    if me is None:
        return None
    ok = Membership.objects.filter(
        team=team, volunteer=me, role=Membership.Role.LEADER, status=Membership.Status.ACCEPTED
    ).exists()
    return me if ok else None


def access_team_for_organising(actor: User | AnonymousUser, *, team_id: int) -> TeamAccess:
    """The team if the actor leads it (with a team-leader grant over its region) or administers
    its region. NotFound otherwise."""
    if not signed_in(actor):
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


def can_organise(actor: User | AnonymousUser, team: Team) -> bool:
    try:
        access_team_for_organising(actor, team_id=team.pk)
    except NotFound:
        return False
    return True


def access_team_for_admin(actor: User | AnonymousUser, *, team_id: int) -> TeamAccess:
    """The team if the actor administers its region (appoints its leaders). NotFound
    otherwise."""
    if not signed_in(actor):
        raise NotFound()
    team = Team.objects.select_related("region").filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return TeamAccess(team=team, grant=admin_grant(actor, team.region), leader=None)


def access_activity_for_organising(
    actor: User | AnonymousUser, *, activity_id: int, lock: bool = False, no_key: bool = False
) -> tuple[Activity, TeamAccess]:
    """The activity for an organiser of its team, locked when asked (``no_key``: FOR NO KEY
    UPDATE, which does not hold up rows inserted with a reference to it). NotFound otherwise."""
    qs = Activity.objects.select_related("team__region", "type", "region")
    if lock:
        qs = qs.select_for_update(of=("self",), no_key=no_key)
    activity = qs.filter(pk=activity_id).first() if signed_in(actor) else None
    if activity is None:
        raise NotFound()
    return activity, access_team_for_organising(actor, team_id=activity.team_id)


def access_membership_for_deciding(
    actor: User | AnonymousUser, *, membership_id: int, lock: bool = False
) -> tuple[Membership, TeamAccess]:
    """An application to a team if ``actor`` organises the team. Raises NotFound otherwise."""
    qs = Membership.objects.select_related("team", "volunteer")
    if lock:
        qs = qs.select_for_update()
    m = qs.filter(pk=membership_id).first() if signed_in(actor) else None
    if m is None:
        raise NotFound()
    return m, access_team_for_organising(actor, team_id=m.team_id)


def access_correction_for_deciding(
    actor: User | AnonymousUser, *, correction_id: int, lock: bool = False
) -> tuple[Correction, TeamAccess]:
    """A correction request if ``actor`` organises the corrected record's team. Raises NotFound
    otherwise (deciding on one's own record is Forbidden: :func:`not_own_correction`)."""
    qs = Correction.objects.select_related("record__activity__type", "record__activity__team")
    if lock:
        qs = qs.select_for_update()
    c = qs.filter(pk=correction_id).first() if signed_in(actor) else None
    if c is None:
        raise NotFound()
    return c, access_team_for_organising(actor, team_id=c.record.team_id)


def not_own_correction(actor: User, correction: Correction, access: TeamAccess) -> None:
    """Nobody decides on a correction of their own record. Raises Forbidden."""
    if access.leader is not None and access.leader.pk == correction.volunteer_id:
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    not_own_record(actor, correction.volunteer)


# --- Call-outs ---------------------------------------------------------------------------------
def access_shift_for_admin(actor: User | AnonymousUser, *, shift_id: int) -> tuple[Shift, Grant]:
    """A shift if ``actor`` administers its call-out's region (puts staff on it). Raises
    NotFound otherwise."""
    shift = Shift.objects.select_related("callout__region").filter(pk=shift_id).first() if signed_in(actor) else None
    if shift is None:
        raise NotFound()
    return shift, admin_grant(actor, shift.callout.region)


def access_callout_for_admin(
    actor: User | AnonymousUser, *, callout_id: int, lock: bool = False
) -> tuple[CallOut, Grant]:
    """A call-out if ``actor`` administers its region (closes it). Raises NotFound otherwise."""
    qs = CallOut.objects.select_related("region")
    if lock:
        qs = qs.select_for_update()
    callout = qs.filter(pk=callout_id).first() if signed_in(actor) else None
    if callout is None:
        raise NotFound()
    return callout, admin_grant(actor, callout.region)


# --- Certificates ------------------------------------------------------------------------------
def _certificates() -> Any:
    return Certificate.objects.select_related("volunteer__subject__village", "team")


def access_own_certificate(actor: User | AnonymousUser, *, number: str) -> Certificate:
    """One of the actor's own certificates. NotFound otherwise."""
    person = own_person(actor)
    cert = _certificates().filter(number=normalise_number(number), volunteer_id=person.pk).first()
    if cert is None:
        raise NotFound()
    return cert


def access_certificate_for_pdf(actor: User | AnonymousUser, *, number: str) -> tuple[Certificate, SubjectAccess]:
    """A certificate for its PDF: the volunteer's own (or their representative's), or staff with
    a file-reading grant over the volunteer's village. NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    cert = _certificates().filter(number=normalise_number(number)).first()
    if cert is None:
        raise NotFound()
    return cert, access_subject_for_read(actor=actor, subject_id=cert.volunteer_id)


def verify_rate(group: str = "", request: Any = None) -> str:
    """The public verification rate per client address (django-ratelimit's rate callable)."""
    return str(getattr(settings, "RONGXIN_VERIFY_RATE", DEFAULT_VERIFY_RATE))


# --- Navigation --------------------------------------------------------------------------------
def speaks_for_self(user: User, roles: frozenset[str] | set[str]) -> bool:
    """A person who may volunteer: a resident, or anyone linked to their own person file."""
    return Role.RESIDENT in roles or user.subject_links.filter(relation="self", subject__kind="person").exists()


def administers_teams(user: User, roles: frozenset[str] | set[str]) -> bool:
    return bool(roles & TEAM_ADMINS)
