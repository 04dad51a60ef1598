"""Reads over a canteen's elders. Names, dietary notes and delivery are read by village staff of
the canteen's village only, and each such read of the list is audited (``elder.list_read``);
the elder sees their own enrolment in their file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.domain.age import ELDER_MIN_AGE, age_on
from rongxin.canteens.models import Canteen, Elder
from rongxin.canteens.permissions.elders import ElderAccess, access_canteen_staff, access_elder
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.subjects.domain.identifiers import normalise_identifier
from rongxin.subjects.domain.search import SearchQuery, classify_query
from rongxin.subjects.models import Person, Subject
from rongxin.subjects.selectors import name_filter, name_match_strategy

MAX_CANDIDATES = 20
MASKED_ID = re.compile(r"[0-9]{4}\*{10}[0-9]{3}[0-9X]")


def audit_list_read(*, actor: User, role: str, canteen: Canteen, count: int, what: str) -> None:
    """The audit row of a staff read of the canteen's elders by name (``what``: which list)."""
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.READ,
        action="elder.list_read",
        object_type="canteen",
        object_id=canteen.pk,
        details={"list": what, "elders": count},
    )


def _elders(canteen: Canteen, *, current: bool) -> QuerySet[Elder]:
    qs = Elder.objects.filter(canteen=canteen).select_related("subject", "subject__person", "recorded_by")
    if current:
        return qs.filter(left_on__isnull=True).order_by("subject__name", "subject_id")
    return qs.filter(left_on__isnull=False).order_by("-left_on", "-id")


@dataclass(frozen=True)
class ElderList:
    canteen: Canteen
    role: str
    current: list[Elder]
    left: list[Elder]


def elders_of(*, actor: User, canteen_id: int, with_left: bool = False, left_limit: int = 50) -> ElderList:
    """The canteen's current elders by name (and with ``with_left`` the latest who left), for
    village staff of its village; audited (``elder.list_read``). Raises NotFound."""
    canteen, role = access_canteen_staff(actor, canteen_id)
    current = list(_elders(canteen, current=True))
    left = list(_elders(canteen, current=False)[:left_limit]) if with_left else []
    audit_list_read(actor=actor, role=role, canteen=canteen, count=len(current) + len(left), what="elders")
    return ElderList(canteen=canteen, role=role, current=current, left=left)


@dataclass(frozen=True)
class Candidate:
    subject_id: int
    name: str
    id_number_masked: str
    age: int
    old_enough: bool
    enrolled_in: str  # the canteen's name when enrolled in one now, else ""


def _candidate(s: Subject, today: dt.date, where: dict[int, str]) -> Candidate:
    person: Person = s.person
    age = age_on(person.birth_date, today)
    return Candidate(
        subject_id=s.pk,
        name=s.name,
        id_number_masked=person.id_number_masked,
        age=age,
        old_enough=age >= ELDER_MIN_AGE,
        enrolled_in=where.get(s.pk, ""),
    )


def _where(subject_ids: list[int]) -> dict[int, str]:
    return dict(
        Elder.objects.filter(subject_id__in=subject_ids, left_on__isnull=True).values_list(
            "subject_id", "canteen__name"
        )
    )


def enrol_candidates(*, actor: User, canteen_id: int, query: str) -> list[Candidate]:
    """Persons of the canteen's village matching ``query`` (a name, a full ID number looked up by
    its keyed hash, or the masked number as shown on screen), with their age and any current
    canteen, for village staff. The search is audited (``elder.search``; never the query text).
    Raises NotFound, InvalidInput (a query that is neither a name nor an ID number)."""
    canteen, role = access_canteen_staff(actor, canteen_id)
    qs = Subject.objects.filter(kind=Subject.Kind.PERSON, village=canteen.village).select_related("person")
    masked = normalise_identifier(query if isinstance(query, str) else "")
    if MASKED_ID.fullmatch(masked):
        # The number as shown on screen (first four and last four): within one village it names
        # one person or very few.
        sq = SearchQuery("masked_id_number", masked)
        qs = qs.filter(person__id_number_masked=masked)
    else:
        sq = classify_query(query)
        if sq.kind == "id_number":
            qs = qs.filter(person__id_number_hash=pii.lookup_hash(sq.value))
        elif sq.kind == "name":
            qs = name_filter(qs, sq.value, name_match_strategy(sq.value))
        else:
            raise field_error("q", _("Enter a name or an ID number."), code="bad_query")
    qs = qs.order_by("name", "id")
    rows = list(qs[:MAX_CANDIDATES])
    where = _where([s.pk for s in rows])
    today = clock.today_local()
    out = [_candidate(s, today, where) for s in rows]
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.READ,
        action="elder.search",
        object_type="canteen",
        object_id=canteen.pk,
        details={"query_kind": sq.kind, "results": len(out)},
    )
    return out


def enrol_candidate(*, actor: User, canteen_id: int, subject_id: int) -> tuple[Canteen, Candidate]:
    """One person of the canteen's village to enrol (name, masked ID number, age), for village
    staff; audited (``elder.search``). Raises NotFound (not staff there, not a person of the
    village)."""
    canteen, role = access_canteen_staff(actor, canteen_id)
    s = (
        Subject.objects.filter(pk=subject_id, kind=Subject.Kind.PERSON, village=canteen.village)
        .select_related("person")
        .first()
    )
    if s is None:
        raise NotFound()
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.READ,
        action="elder.search",
        object_type="canteen",
        object_id=canteen.pk,
        subject_id=s.pk,
        details={"query_kind": "subject", "results": 1},
    )
    return canteen, _candidate(s, clock.today_local(), _where([s.pk]))


def elder_for_staff(*, actor: User, elder_id: int) -> ElderAccess:
    """One enrolment with the elder's details, for village staff of its canteen's village;
    audited (``elder.read``). Raises NotFound."""
    access = access_elder(actor, elder_id)
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.READ,
        action="elder.read",
        object_type="canteen_elder",
        object_id=access.elder.pk,
        subject_id=access.elder.subject_id,
    )
    return access


def elder_row(elder_id: int) -> Elder:
    """The enrolment with the elder's file as the API shows it; the caller has checked access
    already (e.g. a write just returned it)."""
    return Elder.objects.select_related("subject__person").get(pk=elder_id)


def own_enrolments(*, subject_id: int, limit: int = 5) -> list[Elder]:
    """The person's current enrolment and the latest ones they left, newest first (for their own
    file; the caller asked who is reading)."""
    return list(
        Elder.objects.filter(subject_id=subject_id)
        .select_related("canteen", "canteen__village")
        .order_by(F("left_on").desc(nulls_first=True), "-enrolled_on", "-id")[:limit]
    )
