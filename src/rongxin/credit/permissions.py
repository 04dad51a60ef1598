"""Who may record, review and decide on credit entries.

- **Recording**: a department recorder whose grant covers the subject's village, for rules that
  list the recorder's department; a county credit office, town or village officer in region, for
  rules that list ``civilization_office`` (local good deeds and civic behaviour), acting for it.
- **Reviewing** (approval, objection decisions, repair decisions): the county credit office in
  region, never the entry's recorder.
- **Objection and repair applications**: the subject's own account.
- Nobody acts on their own record (a staff member linked to the subject is refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, Grant
from rongxin.accounts.permissions import grant_covering, grants_with_roles
from rongxin.core.errors import Forbidden, NotFound
from rongxin.credit.models import Entry, Rule
from rongxin.subjects.models import Subject, SubjectAccount
from rongxin.subjects.permissions import linked_subject_ids

LOCAL_DEPARTMENT = "civilization_office"
LOCAL_RECORDERS = (Role.COUNTY_CREDIT_OFFICE, Role.TOWN_OFFICER, Role.VILLAGE_OFFICER)


@dataclass(frozen=True)
class RecordingRight:
    grant: Grant
    department: Department


def is_recorder_anywhere(actor: Any) -> bool:
    return bool(grants_with_roles(actor, [Role.DEPARTMENT_RECORDER, *LOCAL_RECORDERS]))


def require_recorder(actor: Any) -> None:
    """NotFound unless ``actor`` records credit somewhere (the gate of the record endpoint,
    whose subject is named in the body: the subject itself is checked by the service)."""
    if not is_recorder_anywhere(actor):
        raise NotFound()


def recording_grants(*, actor: Any, subject: Subject) -> list[Grant]:
    """The actor's recording grants over ``subject``'s village: asked before anything of the
    request is validated, so an outsider learns nothing about the subject from an error.

    Raises NotFound when there is none (no existence leak), Forbidden for one's own record."""
    grants = [
        g
        for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER, *LOCAL_RECORDERS])
        if g.region.contains(subject.village)
    ]
    if not grants:
        raise NotFound()
    if subject.pk in linked_subject_ids(actor):
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    return grants


def recording_right(*, actor: Any, subject: Subject, rule: Rule) -> RecordingRight:
    """The grant and department under which ``actor`` records ``rule`` for ``subject``.

    Raises NotFound when the subject is outside every grant (no existence leak), Forbidden when
    the rule is not the actor's department's or the subject is the actor's own."""
    recorder_grants = recording_grants(actor=actor, subject=subject)
    rule_departments = {d.code: d for d in rule.departments.all()}
    for g in recorder_grants:
        if g.role == Role.DEPARTMENT_RECORDER and g.department and g.department.code in rule_departments:
            return RecordingRight(grant=g, department=g.department)
    for g in recorder_grants:
        if g.role in LOCAL_RECORDERS and LOCAL_DEPARTMENT in rule_departments:
            return RecordingRight(grant=g, department=rule_departments[LOCAL_DEPARTMENT])
    raise Forbidden(
        _("Rule %(code)s is not recorded by your department.") % {"code": rule.code}, code="rule_not_for_department"
    )


def reviewer_grant(*, actor: Any, entry: Entry) -> Grant:
    """The credit-office grant under which ``actor`` reviews ``entry``."""
    grant = grant_covering(actor, [Role.COUNTY_CREDIT_OFFICE], entry.subject.village)
    if grant is None:
        raise NotFound()
    if entry.subject_id in linked_subject_ids(actor):
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    if entry.recorder_id is not None and entry.recorder_id == actor.pk:
        raise Forbidden(_("The recorder of an entry may not review it; ask a colleague."), code="own_entry")
    return grant


def access_entry_for_review(actor: Any, *, entry_id: int) -> Entry:
    """The entry if ``actor`` may decide on it as a reviewer (the API's gate for review,
    objection and repair decisions). Raises NotFound (missing, or out of the actor's reviewing
    regions), Forbidden (own record, own entry)."""
    entry = Entry.objects.select_related("subject__village").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    reviewer_grant(actor=actor, entry=entry)
    return entry


def access_own_entry(actor: Any, *, entry_id: int) -> Entry:
    """The entry if it is on the record of a subject linked to ``actor`` (the API's gate for
    objections and repair applications). Raises NotFound otherwise."""
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    require_own_subject(actor=actor, entry=entry)
    return entry


def require_own_subject(*, actor: Any, entry: Entry) -> None:
    if entry.subject_id not in linked_subject_ids(actor):
        raise NotFound()


# --- The one check at the ledger write --------------------------------------------------------
@dataclass(frozen=True)
class LedgerWrite:
    """An entry about to be appended, as the ledger's write check sees it."""

    subject_id: int
    recorder_id: int | None
    rule: Rule
    source: str
    pending_review: bool  # the entry starts awaiting review by a colleague of the recorder


def own_record_pairs(recorder_ids: set[int]) -> set[tuple[int, int]]:
    """(user, subject) pairs among ``recorder_ids``' account links (a person has one or two)."""
    if not recorder_ids:
        return set()
    return set(SubjectAccount.objects.filter(user_id__in=recorder_ids).values_list("user_id", "subject_id"))


def ledger_writes_check(writes: Sequence[LedgerWrite]) -> None:
    """Every path that appends credit entries (the single record, the bulk import, programme
    awards, any later path) passes here, so the rules hold once for all:

    - nobody records on their own record: an entry whose recorder's account is linked to its
      subject is refused, unless it starts awaiting review (a colleague then decides; reviewers
      are never the recorder nor linked to the subject);
    - a rule recorded by a programme from its verified data (``Rule.programme``) comes only from
      that programme (synthetic history stands in for every source).

    Raises Forbidden (``own_record``, ``programme_only``)."""
    for w in writes:
        if w.rule.programme and w.source not in (w.rule.programme, Entry.Source.SYNTHETIC):
            raise Forbidden(
                _("Rule %(code)s is recorded only by the %(programme)s programme from its verified records.")
                % {"code": w.rule.code, "programme": w.rule.get_programme_display()},
                code="programme_only",
            )
    pairs = own_record_pairs({w.recorder_id for w in writes if w.recorder_id is not None})
    if not pairs:
        return
    for w in writes:
        if (w.recorder_id, w.subject_id) in pairs and not w.pending_review:
            raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
