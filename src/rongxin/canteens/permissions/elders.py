"""Who may see and change an enrolled elder: village staff of the canteen's village (village
officers and canteen managers), and the elder themself (their own account) to leave. Towns and
the county read counts only. Missing and forbidden look the same (NotFound)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.canteens.models import Canteen, Elder
from rongxin.canteens.permissions.common import access_canteen, signed_in, staff_role
from rongxin.core.errors import NotFound
from rongxin.subjects.models import Subject, SubjectAccount


@dataclass(frozen=True)
class ElderAccess:
    elder: Elder
    role: str  # the staff role, or ``resident`` for the elder themself
    own: bool


def access_canteen_staff(actor: User | AnonymousUser | None, canteen_id: int) -> tuple[Canteen, str]:
    """The canteen and the actor's staff role over it, for village staff only; NotFound otherwise."""
    canteen = access_canteen(actor, canteen_id, staff_only=True)
    return canteen, staff_role(actor, canteen)


def own_subject_id(actor: User | AnonymousUser | None) -> int | None:
    """The person file the actor's account is linked to as their own, or None."""
    if not signed_in(actor):
        return None
    return (
        SubjectAccount.objects.filter(
            user=actor, relation=SubjectAccount.Relation.SELF, subject__kind=Subject.Kind.PERSON
        )
        .order_by("id")
        .values_list("subject_id", flat=True)
        .first()
    )


def access_elder(actor: User | AnonymousUser | None, elder_id: int, *, allow_own: bool = False) -> ElderAccess:
    """An enrolment the actor may act on: as village staff of its canteen's village, or (with
    ``allow_own``) as the elder themself. NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    elder = Elder.objects.select_related("canteen__village", "subject").filter(pk=elder_id).first()
    if elder is None:
        raise NotFound()
    role = staff_role(actor, elder.canteen)
    if role:
        return ElderAccess(elder=elder, role=role, own=False)
    if allow_own and own_subject_id(actor) == elder.subject_id:
        return ElderAccess(elder=elder, role=Role.RESIDENT, own=True)
    raise NotFound()
