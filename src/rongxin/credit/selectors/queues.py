"""Work lists and choices for the pages and the API: the review queue, the rules an actor may
record for a subject, the imports an actor sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from rongxin.accounts.models import User
from rongxin.accounts.permissions import region_q
from rongxin.core import clock
from rongxin.credit.domain.lifecycle import objection_parts
from rongxin.credit.models import Entry, ImportBatch, Rule, Transition
from rongxin.credit.permissions import recording_departments, require_reviewer, visible_import_departments
from rongxin.credit.selectors.catalogues import catalogue_in_force
from rongxin.credit.selectors.scores import subject_kind_of
from rongxin.subjects.models import Subject


@dataclass(frozen=True)
class Objection:
    """An objection awaiting a decision, as the reviewer sees it."""

    entry: Entry
    transition: Transition
    further: bool  # lodged after an earlier objection was decided (the entry still counts)

    @property
    def reason(self) -> str:
        return objection_parts(self.transition.reason)[0]

    @property
    def evidence(self) -> str:
        return objection_parts(self.transition.reason)[1]


@dataclass
class ReviewQueue:
    pending_review: list[Entry]
    objections: list[Objection]
    repairs: list[tuple[Entry, Transition]]


def _awaiting(base: Any, *, lodged: str, closed: list[str]) -> list[tuple[Entry, Transition]]:
    """Active entries whose last ``lodged``-or-``closed`` transition is ``lodged`` (an application
    awaiting its decision), at most 200, with that transition, oldest entry first.

    The search starts from the ``lodged`` transitions (few, by the kind index) that no later
    transition of those kinds follows, then keeps the entries ``base`` admits: its work follows
    the applications, not the county's millions of active entries."""
    later = Transition.objects.filter(
        entry_id=OuterRef("entry_id"), kind__in=[lodged, *closed], seq__gt=OuterRef("seq")
    )
    open_ids = (
        Transition.objects.filter(kind=lodged)
        .filter(~Exists(later))
        .filter(entry__in=base.filter(status=Entry.Status.ACTIVE).order_by().values("pk"))
        .order_by("entry__recorded_at", "entry_id")
        .values_list("id", flat=True)[:200]
    )
    lodged_by_entry = {t.entry_id: t for t in Transition.objects.filter(pk__in=list(open_ids))}
    entries = base.filter(pk__in=list(lodged_by_entry))
    return [(e, lodged_by_entry[e.pk]) for e in entries]


def review_queue(*, actor: User) -> ReviewQueue:
    """Entries in the reviewer's regions that wait for a decision: review, objection, repair.
    Raises NotFound for anyone who is not a credit office."""
    grants = require_reviewer(actor)
    in_region = Entry.objects.filter(
        region_q(grants, village_id_field="subject__village_id", town_field="subject__town")
    )
    base = in_region.select_related("subject", "rule", "department", "recorder").order_by("recorded_at", "id")
    pending = list(base.filter(status=Entry.Status.PENDING_REVIEW)[:200])
    objections: list[Objection] = []
    for e in base.filter(status=Entry.Status.SUSPENDED)[:200]:
        lodged = e.transitions.filter(kind="objected").order_by("-seq").first()
        if lodged is not None:
            objections.append(Objection(e, lodged, further=False))
    # Further objections (new evidence after a decision) leave the entry counting: pending while
    # the last of the entry's further-objection steps is the objection itself (decided in SQL,
    # before the page's limit, so decided ones never crowd out pending ones).
    further = _awaiting(base, lodged="objected_again", closed=["upheld_again", "revoked"])
    objections += [Objection(e, t, further=True) for e, t in further]
    repairs = _awaiting(base, lodged="repair_applied", closed=["repaired", "repair_refused"])
    return ReviewQueue(pending_review=pending, objections=objections, repairs=repairs)


def recordable_rules(*, actor: User, subject: Subject) -> list[Rule]:
    """Rules of the catalogue in force today that ``actor`` may record for ``subject`` by hand (a
    rule a programme records from its own verified data, such as volunteer hours, is not one)."""
    catalogue = catalogue_in_force(subject_kind=subject_kind_of(subject), on=clock.today_local())
    if catalogue is None:
        return []
    departments = recording_departments(actor=actor, subject=subject)
    if not departments:
        return []
    return list(
        Rule.objects.filter(catalogue=catalogue, departments__code__in=departments, programme="")
        .distinct()
        .order_by("direction", "code")
    )


def imports_visible(*, actor: User) -> QuerySet[ImportBatch]:
    """Imports of the actor's recording departments, or all for a credit office; else none."""
    qs: QuerySet[ImportBatch] = ImportBatch.objects.select_related("department").defer("content")
    departments = visible_import_departments(actor)
    if departments is None:
        return qs
    return qs.filter(department_id__in=departments)
