"""Who may do what in the credit engine: each action's question, asked on its own.

- **Recording**: a department recorder whose grant covers the subject's village, for rules that
  list the recorder's department; a county credit office, town or village officer in region, for
  rules that list ``civilization_office`` (local good deeds and civic behaviour), acting for it.
- **Reviewing** (approval, objection decisions, repair decisions): the county credit office in
  region, never the entry's recorder.
- **Objection and repair applications**: the subject's own account.
- **Catalogues**: every staff member reads them; the county credit office drafts, publishes and
  simulates them.
- **Imports**: a department recorder imports for their department and sees its imports; the
  county credit office sees every import.
- Nobody acts on their own record (a staff member linked to the subject is refused).

The services ask these questions before they validate anything; the pages and the API ask the
same functions to decide what to show (a form, a link) and to refuse before reading a body. A
refusal is :class:`NotFound` (missing and forbidden look the same) unless the caller may see the
object, when it is :class:`Forbidden` with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import STAFF_ROLES, Role
from rongxin.accounts.models import Department, Grant, User
from rongxin.accounts.permissions import grant_covering, grants_with_roles
from rongxin.core.errors import Forbidden, NotFound, field_error
from rongxin.credit.models import Entry, ImportBatch, Rule
from rongxin.subjects.models import Subject, SubjectAccount
from rongxin.subjects.permissions import linked_subject_ids

LOCAL_DEPARTMENT = "civilization_office"
LOCAL_RECORDERS = (Role.COUNTY_CREDIT_OFFICE, Role.TOWN_OFFICER, Role.VILLAGE_OFFICER)


# --- Recording ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordingRight:
    grant: Grant
    department: Department


def require_recorder(actor: User) -> None:
    """NotFound unless ``actor`` records credit somewhere (the gate of the record endpoint,
    whose subject is named in the body: the subject itself is checked by the service)."""
    if not grants_with_roles(actor, [Role.DEPARTMENT_RECORDER, *LOCAL_RECORDERS]):
        raise NotFound()


def recording_departments(*, actor: User, subject: Subject) -> set[str]:
    """The departments (codes) for which ``actor`` records on ``subject``'s village: their own
    department as a department recorder, ``civilization_office`` as a local recorder. Empty when
    none; the subject's own account is refused by :func:`recording_grants`."""
    departments: set[str] = set()
    for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER, *LOCAL_RECORDERS]):
        if not g.region.contains(subject.village):
            continue
        if g.role == Role.DEPARTMENT_RECORDER and g.department:
            departments.add(g.department.code)
        elif g.role in LOCAL_RECORDERS:
            departments.add(LOCAL_DEPARTMENT)
    return departments


def recording_grants(*, actor: User, subject: Subject) -> list[Grant]:
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


def recording_right(*, actor: User, subject: Subject, rule: Rule) -> RecordingRight:
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


# --- Reviewing ---------------------------------------------------------------------------------
def require_reviewer(actor: User) -> list[Grant]:
    """The actor's credit-office grants (the review queue's regions). Raises NotFound for anyone
    who is not a credit office."""
    grants = grants_with_roles(actor, [Role.COUNTY_CREDIT_OFFICE])
    if not grants:
        raise NotFound()
    return grants


def reviewer_grant(*, actor: User, entry: Entry) -> Grant:
    """The credit-office grant under which ``actor`` reviews ``entry``."""
    grant = grant_covering(actor, [Role.COUNTY_CREDIT_OFFICE], entry.subject.village)
    if grant is None:
        raise NotFound()
    if entry.subject_id in linked_subject_ids(actor):
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    if entry.recorder_id is not None and entry.recorder_id == actor.pk:
        raise Forbidden(_("The recorder of an entry may not review it; ask a colleague."), code="own_entry")
    return grant


def access_entry_for_review(actor: User, *, entry_id: int) -> Entry:
    """The entry if ``actor`` may decide on it as a reviewer (the API's gate for review,
    objection and repair decisions). Raises NotFound (missing, or out of the actor's reviewing
    regions), Forbidden (own record, own entry)."""
    entry = Entry.objects.select_related("subject__village").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    reviewer_grant(actor=actor, entry=entry)
    return entry


# --- The subject's own applications ---------------------------------------------------------
def access_own_entry(actor: User, *, entry_id: int) -> Entry:
    """The entry if it is on the record of a subject linked to ``actor`` (the API's gate for
    objections and repair applications). Raises NotFound otherwise."""
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    require_own_subject(actor=actor, entry=entry)
    return entry


def require_own_subject(*, actor: User, entry: Entry) -> None:
    """NotFound unless ``entry`` is on the record of a subject linked to ``actor``."""
    if entry.subject_id not in linked_subject_ids(actor):
        raise NotFound()


# --- Catalogues ----------------------------------------------------------------------------------
def require_catalogue_reader(actor: User) -> None:
    """NotFound unless ``actor`` is staff (every staff member reads the county's catalogues)."""
    if not grants_with_roles(actor, STAFF_ROLES):
        raise NotFound()


def may_edit_catalogues(actor: User) -> bool:
    """Whether ``actor`` drafts, publishes and simulates catalogues (the county credit office)."""
    return bool(grants_with_roles(actor, [Role.COUNTY_CREDIT_OFFICE]))


def require_catalogue_editor(actor: User) -> None:
    """NotFound unless :func:`may_edit_catalogues`."""
    if not may_edit_catalogues(actor):
        raise NotFound()


# --- Imports -------------------------------------------------------------------------------------
def import_departments(actor: User) -> list[Department]:
    """The departments ``actor`` imports for (their department-recorder grants), by code."""
    seen: dict[str, Department] = {}
    for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER]):
        if g.department is not None:
            seen[g.department.code] = g.department
    return [seen[code] for code in sorted(seen)]


def sees_every_import(actor: User) -> bool:
    return bool(grants_with_roles(actor, [Role.COUNTY_CREDIT_OFFICE]))


def require_import_viewer(actor: User) -> None:
    """NotFound unless ``actor`` imports for a department or sees every import (the imports page)."""
    if not import_departments(actor) and not sees_every_import(actor):
        raise NotFound()


def import_department(*, actor: User | None, department_code: str) -> Department:
    """The department an import is for, if ``actor`` imports for it (``None``: the platform's
    own command line). Raises InvalidInput (no such department), NotFound (not the actor's)."""
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise field_error("department", _("Unknown department."), code="unknown_department")
    if actor is not None and department not in import_departments(actor):
        raise NotFound()
    return department


def import_region_prefixes(*, actor: User | None, department: Department) -> list[str]:
    """The regions (prefixes) whose subjects ``actor`` records on for ``department`` in an
    import; the platform's own command line (``None``) records everywhere."""
    if actor is None:
        return [""]
    return [
        g.region.prefix
        for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER])
        if g.department_id == department.pk
    ]


def visible_import_departments(actor: User) -> list[int] | None:
    """The departments (ids) whose imports ``actor`` sees; ``None`` for every department."""
    if sees_every_import(actor):
        return None
    return [
        g.department_id for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER]) if g.department_id is not None
    ]


def access_import(actor: User, *, batch_id: int) -> ImportBatch:
    """The import if ``actor`` sees it. Raises NotFound otherwise."""
    departments = visible_import_departments(actor)
    batches = ImportBatch.objects.select_related("department").defer("content").filter(pk=batch_id)
    if departments is not None:
        batches = batches.filter(department_id__in=departments)
    batch = batches.first()
    if batch is None:
        raise NotFound()
    return batch


# --- The one check at the ledger write -----------------------------------------------------------
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
