"""Reads over subjects: search within scope, the file (audited for staff), who viewed it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, QuerySet, When
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import FILE_READERS, STAFF_ROLES
from rongxin.accounts.permissions import grants_with_roles, require_role
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.regions.models import Region
from rongxin.regions.selectors import RegionNode, region_children_with_counts, region_get_by_code, region_root
from rongxin.subjects.identifiers import ID_PATTERN, USCC_PATTERN, normalise_identifier, parse_id_number, parse_uscc
from rongxin.subjects.models import ConsentEvent, Notice, Person, Subject, SubjectAccount
from rongxin.subjects.permissions import SubjectAccess, access_subject_for_read, readable_subjects_q

MAX_RESULTS = 50
NAME_PATTERN = re.compile(r"^[\u3400-\u9fffA-Za-z·•. ()（）\-]{1,60}$")

# Why staff open a file; the chosen purpose is written to the audit log and shown to the person.
PURPOSES = {
    "service": _("Handling the person's own request"),
    "record": _("Recording a credit entry"),
    "review": _("Reviewing an objection or repair"),
    "verification": _("Verifying registration data"),
    "supervision": _("Supervision and inspection"),
}


@dataclass(frozen=True)
class SearchQuery:
    kind: str  # "id_number", "uscc" or "name"
    value: str


def classify_query(raw: str) -> SearchQuery:
    """Decide whether a search string is an ID number, a USCC or a name; reject anything else.

    An 18-character string that fails both checksums is reported as an invalid number rather
    than searched as a name, so a typo is caught instead of silently finding nothing. Numbers
    are normalised first (:func:`normalise_identifier`): any Unicode spelling of a number finds
    the subject registered under its ASCII spelling.
    """
    q = " ".join((raw or "").split())
    if not q:
        raise field_error("q", _("Enter a name, an ID number or a unified social credit code."), code="empty_query")
    number = normalise_identifier(q)
    if len(number) == 18 and (ID_PATTERN.match(number) or USCC_PATTERN.match(number)):
        id_error: InvalidInput | None = None
        if ID_PATTERN.match(number):
            try:
                return SearchQuery("id_number", parse_id_number(number).number)
            except InvalidInput as exc:
                id_error = exc
                if not USCC_PATTERN.match(number):
                    raise field_error("q", exc.message, code=exc.code) from None
        try:
            return SearchQuery("uscc", parse_uscc(number))
        except InvalidInput:
            if id_error is not None:
                # Digits only: far more likely a mistyped ID number than a USCC.
                raise field_error("q", id_error.message, code=id_error.code) from None
            raise field_error(
                "q", _("This is neither a valid ID number nor a valid unified social credit code."), code="bad_number"
            ) from None
    if any(ch.isdigit() for ch in q):
        raise field_error(
            "q",
            _("A number must be a full 18-character ID number or unified social credit code."),
            code="partial_number",
        )
    if not NAME_PATTERN.match(q):
        raise field_error("q", _("A name may contain Chinese characters, letters and · only."), code="bad_name")
    return SearchQuery("name", q)


def subject_search(*, actor: Any, query: str, limit: int = MAX_RESULTS) -> list[Subject]:
    """Subjects in the actor's reading scope matching ``query`` (exact ID number or USCC, or a
    name prefix). The search itself is audited (kind of query and result count; never the
    query text, which may be an ID number). Raises InvalidInput, NotFound (no reading role)."""
    grants = grants_with_roles(actor, FILE_READERS)
    if not grants:
        raise NotFound()
    sq = classify_query(query)
    qs: QuerySet[Subject] = Subject.objects.filter(readable_subjects_q(actor)).select_related(
        "village", "town", "person", "organisation"
    )
    if sq.kind == "id_number":
        qs = qs.filter(person__id_number_hash=pii.lookup_hash(sq.value))
    elif sq.kind == "uscc":
        qs = qs.filter(organisation__uscc=sq.value)
    else:
        # A range rather than LIKE so that the (town, name) and (village, name) indexes serve it.
        qs = qs.filter(name__gte=sq.value, name__lt=sq.value + "\U0010ffff")
    results = list(qs.order_by("name", "id")[:limit])
    audit_record(
        actor=actor,
        role=grants[0].role,
        kind=AuditEvent.Kind.READ,
        action="subject.search",
        details={"query_kind": sq.kind, "results": len(results)},
    )
    return results


@dataclass(frozen=True)
class SubjectFile:
    access: SubjectAccess
    subject: Subject
    person: Person | None
    consent_events: list[ConsentEvent]
    age: int | None


def _age(person: Person) -> int:
    today = clock.today_local()
    b = person.birth_date
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


def subject_file(*, actor: Any, subject_id: int, purpose: str = "") -> SubjectFile:
    """A subject's file for its own account or for staff in region.

    A staff read requires a purpose from :data:`PURPOSES` and appends an audit event
    (``subject.view``) that the person sees under "who viewed my file". Raises NotFound,
    InvalidInput (staff without a valid purpose).
    """
    access = access_subject_for_read(actor=actor, subject_id=subject_id)
    if not access.own:
        if purpose not in PURPOSES:
            raise field_error("purpose", _("Choose why you are opening this file."), code="purpose_required")
        audit_record(
            actor=actor,
            role=access.role,
            kind=AuditEvent.Kind.READ,
            action="subject.view",
            object_type="subject",
            object_id=access.subject.pk,
            subject_id=access.subject.pk,
            purpose=str(PURPOSES[purpose]),
            details={"purpose_code": purpose},
        )
    subject = access.subject
    person = getattr(subject, "person", None) if subject.kind == Subject.Kind.PERSON else None
    events = list(ConsentEvent.objects.filter(subject=subject).order_by("-at", "-id")[:20]) if person else []
    return SubjectFile(
        access=access, subject=subject, person=person, consent_events=events, age=_age(person) if person else None
    )


def file_views(*, subject_id: int, limit: int = 100) -> list[AuditEvent]:
    """Staff reads and writes of a subject's file, newest first (what the person is shown).

    The subject's own actions are left out: the person knows what they did themselves.
    """
    return list(
        AuditEvent.objects.filter(subject_id=subject_id, kind__in=[AuditEvent.Kind.READ, AuditEvent.Kind.WRITE])
        .select_related("actor")
        .exclude(actor_role__in=["resident", "enterprise_rep"])
        .order_by("-at", "-id")[:limit]
    )


def person_id_number(*, access: SubjectAccess) -> str:
    """The full ID number, for the person's own view only (staff see the masked form)."""
    if not access.own or access.subject.kind != Subject.Kind.PERSON:
        raise NotFound()
    return pii.decrypt(access.subject.person.id_number_encrypted)


@dataclass(frozen=True)
class RegionTree:
    region: Region
    ancestors: list[Region]
    children: list[RegionNode]
    persons: int
    organisations: int


def _counts_by(field: str, region_filter: dict[str, Any]) -> dict[int, tuple[int, int]]:
    counts: dict[int, list[int]] = {}
    rows = Subject.objects.filter(**region_filter).values_list(field, "kind").annotate(n=Count("id")).order_by()
    for region_id, kind, n in rows:
        slot = counts.setdefault(region_id, [0, 0])
        slot[0 if kind == Subject.Kind.PERSON else 1] += n
    return {k: (v[0], v[1]) for k, v in counts.items()}


def region_tree_counts(*, actor: Any, code: str | None = None) -> RegionTree:
    """One level of the region tree with the number of persons and organisations under each
    child (aggregates only; any staff role may browse). Raises NotFound, InvalidInput."""
    require_role(actor, STAFF_ROLES)
    region = region_get_by_code(code=code) if code else region_root()
    if region is None:
        raise NotFound()
    if region.level == Region.Level.COUNTY:
        counts = _counts_by("town_id", {"town__parent_id": region.id})
    elif region.level == Region.Level.TOWN:
        counts = _counts_by("village_id", {"town_id": region.id})
    else:
        counts = {}
    children = region_children_with_counts(region=region, counts=counts)
    if region.level == Region.Level.VILLAGE:
        own = _counts_by("village_id", {"village_id": region.id}).get(region.id, (0, 0))
    else:
        own = (sum(c.persons for c in children), sum(c.organisations for c in children))
    ancestors: list[Region] = []
    parent = region.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    return RegionTree(region=region, ancestors=ancestors, children=children, persons=own[0], organisations=own[1])


def subject_links_of(*, user: Any) -> list[SubjectAccount]:
    """The subjects an account speaks for, its own record first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    own_first = Case(When(relation=SubjectAccount.Relation.SELF, then=0), default=1)
    return list(SubjectAccount.objects.filter(user_id=user.pk).select_related("subject").order_by(own_first, "id"))


def notices_for(*, subject_id: int, limit: int = 10) -> list[Notice]:
    """The subject's latest in-app notices (the caller has authorised the read)."""
    return list(Notice.objects.filter(subject_id=subject_id).order_by("-at", "-id")[:limit])
