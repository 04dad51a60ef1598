"""The roles of the canteen programme and the regions each may act on.

- **Canteen administrators** run the programme for the county: a ``department_recorder`` grant
  for the ``civil_affairs`` department (民政局) over the county. They create canteens anywhere, set
  the coverage target and the yearly build plan, and read every figure.
- **Town officers** run their town's canteens: create and edit them, schedule clinics, read their
  town's figures.
- **Village staff** (village officers and canteen managers of the village) run the village's
  canteen day to day: elders, the daily lunch, cooks and the rota, donations and stock, clinics.
  Elders' details are seen by **village staff only** (not by the town or the county, who read
  counts).
- **Auditors** read every figure; they change nothing.
- **Residents** see their own enrolment in their file and may leave at any time.

Missing and forbidden look the same (:class:`~rongxin.core.errors.NotFound`).
"""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import grant_covering, grants_with_roles
from rongxin.canteens.models import Canteen
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region

ADMIN_DEPARTMENT = "civil_affairs"
# The department whose award rules (P-DON-01, E-DON-01) credit donations to canteens.
CREDIT_DEPARTMENT = "civilization_office"
PERSON_DONATION_RULE = "P-DON-01"
ORGANISATION_DONATION_RULE = "E-DON-01"

VILLAGE_STAFF_ROLES = (Role.VILLAGE_OFFICER, Role.CANTEEN_MANAGER)


def signed_in(actor: User | AnonymousUser | None) -> TypeGuard[User]:
    return actor is not None and actor.is_authenticated


def admin_grants(actor: User | AnonymousUser | None) -> list[Grant]:
    """The actor's grants that make them a canteen administrator (civil affairs, county)."""
    return [
        g
        for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER])
        if g.department is not None and g.department.code == ADMIN_DEPARTMENT and g.region.level == Region.Level.COUNTY
    ]


def is_canteen_admin(actor: User | AnonymousUser | None) -> bool:
    return bool(admin_grants(actor))


def require_canteen_admin(actor: User | AnonymousUser | None) -> Grant:
    grants = admin_grants(actor)
    if not grants:
        raise NotFound()
    return grants[0]


def is_auditor(actor: User | AnonymousUser | None) -> bool:
    return bool(grants_with_roles(actor, [Role.AUDITOR]))


def manages_region(actor: User | AnonymousUser | None, region: Region) -> bool:
    """True when the actor plans and oversees canteens in ``region``: an administrator, or a town
    officer whose town contains it."""
    return is_canteen_admin(actor) or grant_covering(actor, [Role.TOWN_OFFICER], region) is not None


def is_village_staff(actor: User | AnonymousUser | None, canteen: Canteen) -> bool:
    """True for a village officer or canteen manager of the canteen's village (or a grant whose
    region contains it, e.g. a manager granted on the village)."""
    return grant_covering(actor, VILLAGE_STAFF_ROLES, canteen.village) is not None


def staff_role(actor: User | AnonymousUser | None, canteen: Canteen) -> str:
    """The actor's village-staff role over the canteen's village, or "" (not staff there)."""
    grant = grant_covering(actor, VILLAGE_STAFF_ROLES, canteen.village)
    return grant.role if grant is not None else ""


def acting_role(actor: User | AnonymousUser | None, village: Region) -> str:
    """The role an audit row names for the actor's act on a canteen in ``village``: their
    village-staff role there, else the administrator's (``department_recorder``), else town
    officer over it; "" for anyone else."""
    grant = grant_covering(actor, VILLAGE_STAFF_ROLES, village)
    if grant is not None:
        return grant.role
    if is_canteen_admin(actor):
        return str(Role.DEPARTMENT_RECORDER)
    grant = grant_covering(actor, [Role.TOWN_OFFICER], village)
    return grant.role if grant is not None else ""


def runs_canteen(actor: User | AnonymousUser | None, canteen: Canteen) -> bool:
    """True when the actor may run the canteen day to day or oversee it: village staff, its town
    officer, an administrator."""
    return is_village_staff(actor, canteen) or manages_region(actor, canteen.village)


def reads_figures(actor: User | AnonymousUser | None, region: Region) -> bool:
    """True when the actor reads canteen figures (counts, no names) over ``region``."""
    if is_canteen_admin(actor) or is_auditor(actor):
        return True
    return grant_covering(actor, [Role.TOWN_OFFICER, *VILLAGE_STAFF_ROLES], region) is not None


def figure_regions(actor: User | AnonymousUser | None) -> list[Region]:
    """The regions whose canteen figures the actor reads: the county for administrators and
    auditors, the granted town or village for officers and managers; empty for everyone else."""
    admin = admin_grants(actor)
    if admin:
        return [admin[0].region]
    auditors = grants_with_roles(actor, [Role.AUDITOR])
    if auditors:
        return [auditors[0].region]
    return [g.region for g in grants_with_roles(actor, [Role.TOWN_OFFICER, *VILLAGE_STAFF_ROLES])]


def staff_villages(actor: User | AnonymousUser | None) -> list[Region]:
    """The villages whose elders the actor may see by name (village staff grants only)."""
    return [g.region for g in grants_with_roles(actor, VILLAGE_STAFF_ROLES)]


def access_canteen(actor: User | AnonymousUser | None, canteen_id: int, *, staff_only: bool = False) -> Canteen:
    """The canteen if the actor runs it (``staff_only``: as village staff); NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    canteen = Canteen.objects.select_related("village", "town", "venue", "team").filter(pk=canteen_id).first()
    if canteen is None:
        raise NotFound()
    allowed = is_village_staff(actor, canteen) if staff_only else runs_canteen(actor, canteen)
    if not allowed:
        raise NotFound()
    return canteen


def shows_canteens(user: User | AnonymousUser, roles: frozenset[str] | set[str]) -> bool:
    """Navigation: everyone who runs or reads canteens."""
    return bool(figure_regions(user))
