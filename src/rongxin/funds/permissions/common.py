"""Who keeps, reads and publishes the funds' books, and who runs the commendations.

- **The county fund keeper** is a ``department_recorder`` grant for the ``civilization_office``
  department (县文明办, which runs the programme and its county special fund) over the county. They set the
  budget, allocate money to towns, villages and canteens, post the county fund's movements and
  close its months, and read every fund.
- **The project marketplace fund** (项目超市) is kept by the county fund keeper too, but its money
  moves only through the projects module (a project's payments, spending and left-over).
- **Town officers** keep their town's credit fund, read the credit funds of the town's villages,
  and run the town's quarterly commendation meeting.
- **Village officers** keep their village's credit fund and run the village's meeting.
- **Auditors** read every fund and every meeting; they change nothing.
- **Everyone**, signed in or not, reads each fund's quarterly statement, its donations list (donors
  who asked are shown as anonymous), a meeting's list during publicity (where anyone may object)
  and published honour rolls. A resident sees their own commendations in their file.

Missing and forbidden look the same (:class:`~rongxin.core.errors.NotFound`).
"""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import grant_covering, grants_with_roles
from rongxin.core.errors import NotFound
from rongxin.funds.models import Fund, Meeting
from rongxin.regions.models import Region

ADMIN_DEPARTMENT = "civilization_office"
# The department whose rules credit donations (P-DON-02 / E-DON-02) and commendations (P-HON-06).
CREDIT_DEPARTMENT = "civilization_office"
PERSON_DONATION_RULE = "P-DON-02"
ORGANISATION_DONATION_RULE = "E-DON-02"
COMMENDATION_RULE = "P-HON-06"


def signed_in(actor: User | AnonymousUser | None) -> TypeGuard[User]:
    return actor is not None and actor.is_authenticated


def admin_grants(actor: User | AnonymousUser | None) -> list[Grant]:
    """The actor's grants that make them the county fund keeper."""
    return [
        g
        for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER])
        if g.department is not None and g.department.code == ADMIN_DEPARTMENT and g.region.level == Region.Level.COUNTY
    ]


def is_fund_admin(actor: User | AnonymousUser | None) -> bool:
    return bool(admin_grants(actor))


def require_fund_admin(actor: User | AnonymousUser | None) -> Grant:
    grants = admin_grants(actor)
    if not grants:
        raise NotFound()
    return grants[0]


def is_auditor(actor: User | AnonymousUser | None) -> bool:
    return bool(grants_with_roles(actor, [Role.AUDITOR]))


def keeper_role(actor: User | AnonymousUser | None, fund: Fund) -> str:
    """The role under which the actor keeps (posts to, closes) ``fund``, or "" (they do not):
    the county fund keeper for the county fund, a town officer of the town for its credit fund,
    a village officer of the village for its credit fund."""
    if fund.kind in (Fund.Kind.COUNTY_SPECIAL, Fund.Kind.PROJECTS):
        return str(Role.DEPARTMENT_RECORDER) if is_fund_admin(actor) else ""
    role = Role.TOWN_OFFICER if fund.kind == Fund.Kind.TOWN_CREDIT else Role.VILLAGE_OFFICER
    for grant in grants_with_roles(actor, [role]):
        if grant.region.pk == fund.region_id or (role == Role.VILLAGE_OFFICER and grant.region.contains(fund.region)):
            return grant.role
    return ""


def reads_fund(actor: User | AnonymousUser | None, fund: Fund) -> bool:
    """True when the actor reads the fund's full books (journal, vouchers, accounts)."""
    if not signed_in(actor):
        return False
    if is_fund_admin(actor) or is_auditor(actor) or keeper_role(actor, fund):
        return True
    return grant_covering(actor, [Role.TOWN_OFFICER], fund.region) is not None


def reader_role(actor: User | AnonymousUser | None, fund: Fund) -> str:
    """The role an audit row names for the actor's read of or act on ``fund``."""
    role = keeper_role(actor, fund)
    if role:
        return role
    if is_fund_admin(actor):
        return str(Role.DEPARTMENT_RECORDER)
    if is_auditor(actor):
        return str(Role.AUDITOR)
    grant = grant_covering(actor, [Role.TOWN_OFFICER], fund.region)
    return grant.role if grant is not None else ""


def fund_regions(actor: User | AnonymousUser | None) -> list[Region]:
    """The regions whose funds' books the actor reads (the funds of these regions and below)."""
    admin = admin_grants(actor)
    if admin:
        return [admin[0].region]
    auditors = grants_with_roles(actor, [Role.AUDITOR])
    if auditors:
        return [auditors[0].region]
    return [g.region for g in grants_with_roles(actor, [Role.TOWN_OFFICER, Role.VILLAGE_OFFICER])]


def access_fund(actor: User | AnonymousUser | None, fund_id: int, *, keep: bool = False) -> Fund:
    """The fund if the actor reads it (``keep``: keeps it); NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    fund = Fund.objects.select_related("region").filter(pk=fund_id).first()
    if fund is None:
        raise NotFound()
    allowed = bool(keeper_role(actor, fund)) if keep else reads_fund(actor, fund)
    if not allowed:
        raise NotFound()
    return fund


def meeting_role(actor: User | AnonymousUser | None, region: Region) -> str:
    """The role under which the actor runs the commendation meeting of ``region`` (a town officer
    of the town for a town's meeting, a village officer of the village for a village's), or ""."""
    role = Role.TOWN_OFFICER if region.level == Region.Level.TOWN else Role.VILLAGE_OFFICER
    for grant in grants_with_roles(actor, [role]):
        if grant.region.pk == region.pk or (role == Role.VILLAGE_OFFICER and grant.region.contains(region)):
            return grant.role
    return ""


def reads_meeting(actor: User | AnonymousUser | None, meeting: Meeting) -> bool:
    """True when the actor reads a meeting's working list (every name, removed and excluded ones
    with why): those who run it, the town officers over a village's meeting, the county fund
    keeper and auditors."""
    if not signed_in(actor):
        return False
    if meeting_role(actor, meeting.region) or is_fund_admin(actor) or is_auditor(actor):
        return True
    return grant_covering(actor, [Role.TOWN_OFFICER], meeting.region) is not None


def access_meeting(actor: User | AnonymousUser | None, meeting_id: int, *, run: bool = False) -> Meeting:
    """The meeting if the actor reads it (``run``: runs it); NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    meeting = Meeting.objects.select_related("region", "fund").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound()
    allowed = bool(meeting_role(actor, meeting.region)) if run else reads_meeting(actor, meeting)
    if not allowed:
        raise NotFound()
    return meeting


def shows_funds(user: User | AnonymousUser, roles: frozenset[str] | set[str]) -> bool:
    """Navigation: everyone who keeps or reads books or runs meetings."""
    return bool(fund_regions(user))
