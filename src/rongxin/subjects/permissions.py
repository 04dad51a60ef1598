"""Access to subjects. Missing and forbidden raise the same :class:`NotFound`.

- A linked account (resident, enterprise representative) reaches its own subject.
- Staff with a file-reading role reach subjects whose village lies in their grant's region.
- Staff may never act on a subject they are linked to ("nobody acts on their own record").

Each question is asked here once; the services ask it before they write, the pages and the API
ask the same function to decide what to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import FILE_KEEPERS, FILE_READERS, SELF_ROLES, Role
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import grant_covering, grants_with_roles, region_q
from rongxin.core.errors import Forbidden, NotFound
from rongxin.subjects.models import Subject, SubjectAccount


@dataclass(frozen=True)
class SubjectAccess:
    subject: Subject
    grant: Grant | None  # the staff grant that allowed access; None for the subject's own account
    own: bool

    @property
    def role(self) -> str:
        if self.grant is not None:
            return self.grant.role
        return Role.RESIDENT if self.subject.kind == Subject.Kind.PERSON else Role.ENTERPRISE_REP


def linked_subject_ids(user: User | AnonymousUser | None) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(SubjectAccount.objects.filter(user=user).values_list("subject_id", flat=True))


def _load(subject_id: int) -> Subject:
    try:
        return Subject.objects.select_related("village", "town", "person", "organisation").get(pk=subject_id)
    except (Subject.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_file_search(*, actor: User) -> list[Grant]:
    """The actor's grants to search files (file readers, in any region); NotFound when none."""
    grants = grants_with_roles(actor, FILE_READERS)
    if not grants:
        raise NotFound()
    return grants


def access_registration(*, actor: User) -> list[Grant]:
    """The actor's grants to register subjects (file keepers, in any region); NotFound when none.
    Which villages they may register in is the registration's own check, per village."""
    grants = grants_with_roles(actor, FILE_KEEPERS)
    if not grants:
        raise NotFound()
    return grants


def access_subject_for_read(*, actor: User | AnonymousUser, subject_id: int) -> SubjectAccess:
    """The subject if ``actor`` may read its file: its own account, or staff in region."""
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    subject = _load(subject_id)
    if subject.pk in linked_subject_ids(actor):
        return SubjectAccess(subject=subject, grant=None, own=True)
    grant = grant_covering(actor, FILE_READERS, subject.village)
    if grant is None:
        raise NotFound()
    return SubjectAccess(subject=subject, grant=grant, own=False)


def access_subject_for_keeping(*, actor: User | AnonymousUser, subject_id: int) -> SubjectAccess:
    """The subject if ``actor`` is a file keeper over its village and not linked to it."""
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    subject = _load(subject_id)
    grant = grant_covering(actor, FILE_KEEPERS, subject.village)
    if grant is None:
        raise NotFound()
    if subject.pk in linked_subject_ids(actor):
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    return SubjectAccess(subject=subject, grant=grant, own=False)


def may_keep(actor: User, access: SubjectAccess) -> bool:
    """Whether the staff reader of a file may also record the person's consent on it: the
    question of :func:`access_subject_for_keeping` (a file keeper over its village, not their
    own record), asked of a file already open, without raising."""
    return not access.own and grant_covering(actor, FILE_KEEPERS, access.subject.village) is not None


def access_own_subject(*, actor: User | AnonymousUser, subject_id: int) -> SubjectAccess:
    """The subject if it is linked to ``actor``'s account."""
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    if subject_id not in linked_subject_ids(actor):
        raise NotFound()
    return SubjectAccess(subject=_load(subject_id), grant=None, own=True)


def access_subject_for_consent(actor: User | AnonymousUser, *, subject_id: int) -> SubjectAccess:
    """The subject if ``actor`` may record its consent: the person's own account, or a file
    keeper over its village (not linked to it)."""
    try:
        return access_own_subject(actor=actor, subject_id=subject_id)
    except NotFound:
        return access_subject_for_keeping(actor=actor, subject_id=subject_id)


def access_subject_for_reading(actor: User | AnonymousUser, *, subject_id: int) -> SubjectAccess:
    """:func:`access_subject_for_read` in the shape of an API gate."""
    return access_subject_for_read(actor=actor, subject_id=subject_id)


def readable_subjects_q(actor: User) -> Q:
    """Filter for the subjects ``actor`` may find by search (staff reading roles, in region)."""
    return region_q(grants_with_roles(actor, FILE_READERS))


def speaks_for_a_subject(user: User, roles: frozenset[str] | set[str]) -> bool:
    """A resident or enterprise representative, or anyone linked to a subject (navigation)."""
    return bool(roles & SELF_ROLES) or user.subject_links.exists()
