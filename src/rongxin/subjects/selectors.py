"""Reads over subjects: search within scope, the file (audited for staff), who viewed it, the
region tree with its counts, and the read-only identifier check after an upgrade."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import BooleanField, Case, Count, F, Func, IntegerField, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import STAFF_ROLES
from rongxin.accounts.models import User
from rongxin.accounts.permissions import region_q, require_role
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.regions.models import Region
from rongxin.regions.selectors import RegionNode, region_children_with_counts, region_get_by_code, region_root
from rongxin.subjects.domain.identifiers import normalise_identifier, parse_id_number, parse_uscc
from rongxin.subjects.domain.purposes import PURPOSES
from rongxin.subjects.domain.search import classify_query
from rongxin.subjects.models import ConsentEvent, Notice, Organisation, Person, Subject, SubjectAccount
from rongxin.subjects.permissions import (
    SubjectAccess,
    access_file_search,
    access_registration,
    access_subject_for_read,
    readable_subjects_q,
)

MAX_RESULTS = 50

# Why staff open a file; the chosen purpose is written to the audit log and shown to the person.


# --- Search ----------------------------------------------------------------------------------
# How a name is matched depends on its length (docs/adr/0006-substring-name-search.md):
# - one character: names that start with it (a surname; as a substring "张" alone would be one
#   name in fifteen), through the (town|village, name) indexes;
# - two characters: names that contain it, through an index of the names' character pairs (a
#   GIN index on ``subjects_name_bigrams(name)`` on PostgreSQL, the table
#   ``subjects_subject_name_bigram`` on SQLite);
# - three or more: names that contain it, through a trigram index (pg_trgm's GIN index on
#   PostgreSQL, the FTS5 trigram table ``subjects_subject_name_fts`` on SQLite).
# All are created and kept in step by migration 0003. Results rank exact name first, then names
# that start with the query, then the rest, each by name.
TRIGRAM_MIN = 3
BIGRAM_MIN = 2
FTS_TABLE = "subjects_subject_name_fts"
BIGRAM_TABLE = "subjects_subject_name_bigram"
_FTS_MATCH = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 - constant names
_BIGRAM_MATCH = f"SELECT subject_id FROM {BIGRAM_TABLE} WHERE gram = lower(%s)"  # noqa: S608 - constant names


class _ILike(Func):
    """``lhs ILIKE pattern`` (PostgreSQL): unlike Django's ``icontains`` (``UPPER(x) LIKE``),
    pg_trgm's GIN index serves it."""

    template = "(%(expressions)s)"
    arg_joiner = " ILIKE "
    output_field = BooleanField()


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_match_strategy(value: str) -> str:
    """``"prefix"``, ``"bigram"`` or ``"trigram"``: how a name query of this length is matched."""
    if len(value) >= TRIGRAM_MIN:
        return "trigram"
    if len(value) >= BIGRAM_MIN:
        return "bigram"
    return "prefix"


def name_filter(qs: QuerySet[Subject], value: str, strategy: str) -> QuerySet[Subject]:
    """``qs`` narrowed to names matching ``value`` by ``strategy`` (no scope, no audit: the
    caller's; :func:`subject_search_page` is the search)."""
    if strategy == "prefix":
        # A range rather than LIKE so that the (town, name) and (village, name) indexes serve it.
        return qs.filter(name__gte=value, name__lt=value + "\U0010ffff")
    postgres = connection.vendor == "postgresql"
    if strategy == "bigram":
        if postgres:
            contains = RawSQL(
                "subjects_name_bigrams(subjects_subject.name) @> ARRAY[lower(%s)]", [value], output_field=BooleanField()
            )
            return qs.filter(contains)
        return qs.filter(pk__in=RawSQL(_BIGRAM_MATCH, [value]))  # noqa: S611 - a constant statement
    if postgres:
        return qs.filter(_ILike(F("name"), Value(f"%{_like_escape(value)}%")))
    phrase = '"' + value.replace('"', '""') + '"'
    return qs.filter(pk__in=RawSQL(_FTS_MATCH, [phrase]))  # noqa: S611 - a constant statement


@dataclass(frozen=True)
class SearchPage:
    results: list[Subject]
    page: int
    per_page: int
    has_next: bool
    match: str  # "id_number", "uscc", "prefix", "bigram" or "trigram"

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def subject_search_page(
    *, actor: User, query: str, page: int = 1, per_page: int = MAX_RESULTS, purpose: str = ""
) -> SearchPage:
    """One page of the subjects in the actor's reading scope matching ``query``: an exact ID
    number or USCC, or a name (see :func:`name_match_strategy`), ranked exact name, prefix,
    substring, then by name.

    The search is audited (``subject.search``: how it matched, the page and the number of
    results, and the purpose when the searcher gave one from :data:`PURPOSES`; never the query
    text, which may be an ID number or a person's name). Raises InvalidInput (a query that is
    neither, a page below 1), NotFound (no reading role)."""
    grants = access_file_search(actor=actor)
    sq = classify_query(query)
    if page < 1:
        raise field_error("page", _("There is no such page."), code="bad_page")
    qs: QuerySet[Subject] = Subject.objects.filter(readable_subjects_q(actor)).select_related(
        "village", "town", "person", "organisation"
    )
    if sq.kind == "id_number":
        match = sq.kind
        qs = qs.filter(person__id_number_hash=pii.lookup_hash(sq.value)).order_by("name", "id")
    elif sq.kind == "uscc":
        match = sq.kind
        qs = qs.filter(organisation__uscc=sq.value).order_by("name", "id")
    else:
        match = name_match_strategy(sq.value)
        qs = name_filter(qs, sq.value, match)
        if match == "prefix":
            # The exact name sorts first among the names it starts: the index gives the order.
            qs = qs.order_by("name", "id")
        else:
            rank = Case(
                When(name=sq.value, then=Value(0)),
                When(name__startswith=sq.value, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
            qs = qs.alias(rank=rank).order_by("rank", "name", "id")
    start = (page - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    results = rows[:per_page]
    audit_record(
        actor=actor,
        role=grants[0].role,
        kind=AuditEvent.Kind.READ,
        action="subject.search",
        purpose=str(PURPOSES[purpose]) if purpose in PURPOSES else "",
        details={"query_kind": sq.kind, "match": match, "page": page, "results": len(results)}
        | ({"purpose_code": purpose} if purpose in PURPOSES else {}),
    )
    return SearchPage(results=results, page=page, per_page=per_page, has_next=len(rows) > per_page, match=match)


def subject_search(*, actor: User, query: str, limit: int = MAX_RESULTS, page: int = 1) -> list[Subject]:
    """The results of :func:`subject_search_page` alone (audited the same; raises the same)."""
    return subject_search_page(actor=actor, query=query, page=page, per_page=limit).results


# --- The file ------------------------------------------------------------------------------
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


def subject_file(*, actor: User, subject_id: int, purpose: str = "") -> SubjectFile:
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
            purpose=purpose,  # the code: each reader sees its words in their own language
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


def subject_links_of(*, user: User | AnonymousUser) -> list[SubjectAccount]:
    """The subjects an account speaks for, its own record first (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return []
    own_first = Case(When(relation=SubjectAccount.Relation.SELF, then=0), default=1)
    return list(SubjectAccount.objects.filter(user_id=user.pk).select_related("subject").order_by(own_first, "id"))


def notices_for(*, subject_id: int, limit: int = 10) -> list[Notice]:
    """The subject's latest in-app notices (the caller has authorised the read)."""
    return list(Notice.objects.filter(subject_id=subject_id).order_by("-at", "-id")[:limit])


# --- Regions ------------------------------------------------------------------------------
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


def region_tree_counts(*, actor: User, code: str | None = None) -> RegionTree:
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


def registration_villages(*, actor: User) -> list[Region]:
    """The villages the actor may register subjects in (their file-keeping regions), by code,
    each with its town. Raises NotFound for an actor who keeps no region."""
    villages = (
        Region.objects.filter(level=Region.Level.VILLAGE)
        .filter(region_q(access_registration(actor=actor), village_id_field="id", town_field="parent"))
        .select_related("parent")
        .order_by("code")
    )
    return list(villages)


# --- The identifier check after an upgrade: one identity per person, read-only --------------
# Before identifiers were normalised (``rongxin.subjects.domain.identifiers.normalise_identifier``),
# an ID number or USCC typed with non-ASCII digits (fullwidth ``３``, Arabic-Indic ``٣``, ...) was
# stored as typed, so its lookup hash differed from the ASCII spelling's and a person could get a
# second credit file. :func:`identifier_check` walks every stored identifier in batches (ID numbers
# are decrypted in memory, never printed or written), normalises it, and reports:
#
# - ``duplicate``: subjects whose identifiers are the same once normalised;
# - ``not_canonical``: a stored identifier that is not its canonical ASCII spelling (or an ID
#   number whose lookup hash is not the hash of that spelling, so searches miss it);
# - ``invalid``: a stored identifier that fails the checks even when normalised;
# - ``unreadable``: an ID number that does not decrypt with the configured key.
#
# It writes nothing (no audit row either: it is the operator's check, not a read of a file).
#
# Why it stays small: the unique lookup hash means two subjects can only share a normalised
# identifier if at least one of them is stored in a non-canonical form. So only those rows are
# remembered; at the end their canonical forms are looked up among all stored hashes (and codes)
# in chunks, which finds every collision without holding the whole table in memory.
# ``rongxin subjects duplicates`` runs it.
BATCH = 2000
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class IdentifierProblem:
    kind: str  # "duplicate", "not_canonical", "invalid" or "unreadable"
    identifier: str  # "id_number" or "uscc"
    subject_ids: tuple[int, ...]


@dataclass
class IdentifierCheck:
    persons: int = 0
    organisations: int = 0
    problems: list[IdentifierProblem] = field(default_factory=list)


def _chunks(items: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _canonical(raw: str, parse: Callable[[str], str]) -> tuple[str, bool]:
    """The normalised spelling of ``raw`` and whether it passes the checks."""
    try:
        return parse(raw), True
    except InvalidInput:
        return normalise_identifier(raw), False


def _canonical_id_number(raw: str) -> str:
    return parse_id_number(raw).number


def _batches(queryset: Any, fields: tuple[str, ...], batch_size: int) -> Iterable[list[tuple[Any, ...]]]:
    """Rows in subject order, ``batch_size`` at a time (keyset pagination: no OFFSET scans)."""
    last = 0
    while True:
        rows = list(queryset.filter(subject_id__gt=last).order_by("subject_id").values_list(*fields)[:batch_size])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _collisions(
    identifier: str, suspects: dict[str, set[int]], stored: Callable[[list[str]], Iterable[tuple[str, int]]]
) -> list[IdentifierProblem]:
    """Add the subjects stored under each suspect's canonical form; groups of two or more."""
    for chunk in _chunks(sorted(suspects), LOOKUP_CHUNK):
        for key, subject_id in stored(chunk):
            suspects[key].add(subject_id)
    return [
        IdentifierProblem("duplicate", identifier, tuple(sorted(ids)))
        for _key, ids in sorted(suspects.items(), key=lambda kv: min(kv[1]))
        if len(ids) > 1
    ]


def identifier_check(*, batch_size: int = BATCH, progress: Callable[[int], None] | None = None) -> IdentifierCheck:
    """Find duplicate and non-canonical identifiers among all persons and organisations.

    Reads only. ``progress`` is called with the number of rows read so far after each batch.
    """
    check = IdentifierCheck()
    suspects: dict[str, set[int]] = {}  # canonical lookup hash → subjects stored otherwise
    for rows in _batches(Person.objects, ("subject_id", "id_number_encrypted", "id_number_hash"), batch_size):
        for subject_id, blob, stored_hash in rows:
            try:
                raw = pii.decrypt(blob)
            except (InvalidTag, ValueError, IndexError):  # a wrong key or a damaged value: report, go on
                check.problems.append(IdentifierProblem("unreadable", "id_number", (subject_id,)))
                continue
            canonical, valid = _canonical(raw, _canonical_id_number)
            key = pii.lookup_hash(canonical)
            if not valid:
                check.problems.append(IdentifierProblem("invalid", "id_number", (subject_id,)))
            elif raw != canonical or stored_hash != key:
                check.problems.append(IdentifierProblem("not_canonical", "id_number", (subject_id,)))
            if raw != canonical or stored_hash != key:
                suspects.setdefault(key, set()).add(subject_id)
        check.persons += len(rows)
        if progress:
            progress(check.persons)
    check.problems += _collisions(
        "id_number",
        suspects,
        lambda chunk: Person.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", "subject_id"),
    )

    codes: dict[str, set[int]] = {}  # canonical code → subjects stored otherwise
    for rows in _batches(Organisation.objects, ("subject_id", "uscc"), batch_size):
        for subject_id, raw in rows:
            canonical, valid = _canonical(raw, parse_uscc)
            if not valid:
                check.problems.append(IdentifierProblem("invalid", "uscc", (subject_id,)))
            elif raw != canonical:
                check.problems.append(IdentifierProblem("not_canonical", "uscc", (subject_id,)))
            if raw != canonical:
                codes.setdefault(canonical, set()).add(subject_id)
        check.organisations += len(rows)
        if progress:
            progress(check.persons + check.organisations)
    check.problems += _collisions(
        "uscc", codes, lambda chunk: Organisation.objects.filter(uscc__in=chunk).values_list("uscc", "subject_id")
    )
    return check
