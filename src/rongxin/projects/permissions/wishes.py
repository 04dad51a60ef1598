"""Who acts on a small wish beyond reading it (see :mod:`rongxin.projects.permissions.common`):

- the **claimant's speakers** (a resident for themselves, an enterprise representative for the
  enterprise) give a claimed wish up or deliver it;
- the **resident** themselves, or a **village officer** of the wish's village, confirm receipt and
  withdraw it.

Missing and forbidden look the same (:class:`~rongxin.core.errors.NotFound`).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core.errors import NotFound
from rongxin.projects.models import Wish
from rongxin.projects.permissions.common import (
    access_wish,
    own_person_subject,
    signed_in,
    sponsor_subjects,
    wish_officer_role,
)
from rongxin.subjects.models import Subject


def claimant_speaker(actor: User | AnonymousUser | None, wish: Wish) -> Subject | None:
    """The wish's claimant if the actor speaks for it, else None."""
    if wish.claimant_id is None:
        return None
    for subject in sponsor_subjects(actor):
        if subject.pk == wish.claimant_id:
            return subject
    return None


def resident_role(actor: User | AnonymousUser | None, wish: Wish) -> str:
    """The role under which the actor speaks for the wish's resident (the resident themselves, or a
    village officer of the village), or ""."""
    if not signed_in(actor):
        return ""
    own = own_person_subject(actor)
    if own is not None and own.pk == wish.beneficiary_id:
        return str(Role.RESIDENT)
    return wish_officer_role(actor, wish.region)


def access_wish_as_claimant(actor: User | AnonymousUser | None, wish_id: int) -> tuple[Wish, Subject]:
    """The wish and its claimant if the actor speaks for the claimant; NotFound otherwise."""
    wish = access_wish(actor, wish_id)
    claimant = claimant_speaker(actor, wish)
    if claimant is None:
        raise NotFound()
    return wish, claimant


def access_wish_as_resident(actor: User | AnonymousUser | None, wish_id: int) -> tuple[Wish, str]:
    """The wish and the actor's role if they speak for its resident; NotFound otherwise."""
    wish = access_wish(actor, wish_id)
    role = resident_role(actor, wish)
    if not role:
        raise NotFound()
    return wish, role
