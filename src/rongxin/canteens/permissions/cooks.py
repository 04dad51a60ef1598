"""Who keeps a canteen's cooks, rota and clinics.

- **Cooks and the rota** are kept by the canteen's village staff (village officer, canteen
  manager of the village). Placing a cook also writes volunteering's own records (the day's
  activity, the invitation) through volunteering's services, which ask their own question: the
  actor must organise the canteen's team there (a village officer administers the village's
  teams; a canteen manager organises when they lead the cook team, appointed by the village
  officer). See :func:`rongxin.canteens.services.rota.rota_place`.
- The cooks page and the rota are **read** by everyone who runs the canteen (village staff, its
  town officer, administrators): they name volunteers, never elders.
- **Clinics** are scheduled, recorded and cancelled by the canteen's town officer, canteen
  administrators and the village staff.

Missing and forbidden look the same (:class:`~rongxin.core.errors.NotFound`).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grant_covering, grants_with_roles
from rongxin.canteens.models import Canteen, ClinicVisit
from rongxin.canteens.permissions.common import access_canteen, admin_grants, is_village_staff, signed_in
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region


def access_canteen_for_cooks(actor: User | AnonymousUser | None, canteen_id: int) -> Canteen:
    """The canteen if the actor is its village staff (keeps cooks and the rota). NotFound
    otherwise."""
    return access_canteen(actor, canteen_id, staff_only=True)


def access_canteen_for_reading_cooks(actor: User | AnonymousUser | None, canteen_id: int) -> Canteen:
    """The canteen if the actor runs or oversees it (reads its cooks, rota and clinics)."""
    return access_canteen(actor, canteen_id)


def keeps_cooks(actor: User | AnonymousUser | None, canteen: Canteen) -> bool:
    return is_village_staff(actor, canteen)


def access_clinic(actor: User | AnonymousUser | None, clinic_id: int, *, lock: bool = False) -> ClinicVisit:
    """A clinic visit if the actor runs its canteen (village staff, town officer, admin)."""
    if not signed_in(actor):
        raise NotFound()
    qs = ClinicVisit.objects.select_related("canteen__village", "canteen__town")
    if lock:
        qs = qs.select_for_update(of=("self",))
    clinic = qs.filter(pk=clinic_id).first()
    if clinic is None:
        raise NotFound()
    access_canteen(actor, clinic.canteen_id)
    return clinic


def clinic_list_regions(actor: User | AnonymousUser | None) -> list[Region]:
    """The regions whose upcoming clinics the actor lists: the county for administrators, the
    town for town officers. NotFound for everyone else."""
    if not signed_in(actor):
        raise NotFound()
    admin = admin_grants(actor)
    if admin:
        return [admin[0].region]
    regions = [g.region for g in grants_with_roles(actor, [Role.TOWN_OFFICER])]
    if not regions:
        raise NotFound()
    return regions


def town_officer_of(actor: User | AnonymousUser | None, canteen: Canteen) -> bool:
    return grant_covering(actor, [Role.TOWN_OFFICER], canteen.village) is not None
