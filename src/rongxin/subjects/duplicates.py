"""The identifier check after an upgrade: one identity per person, read-only.

Before identifiers were normalised (:func:`rongxin.subjects.identifiers.normalise_identifier`),
an ID number or USCC typed with non-ASCII digits (fullwidth ``３``, Arabic-Indic ``٣``, ...) was
stored as typed, so its lookup hash differed from the ASCII spelling's and a person could get a
second credit file. :func:`identifier_check` walks every stored identifier in batches (ID numbers
are decrypted in memory, never printed or written), normalises it, and reports:

- ``duplicate``: subjects whose identifiers are the same once normalised;
- ``not_canonical``: a stored identifier that is not its canonical ASCII spelling (or an ID
  number whose lookup hash is not the hash of that spelling, so searches miss it);
- ``invalid``: a stored identifier that fails the checks even when normalised;
- ``unreadable``: an ID number that does not decrypt with the configured key.

It writes nothing (no audit row either: it is the operator's check, not a read of a file).

Why it stays small: the unique lookup hash means two subjects can only share a normalised
identifier if at least one of them is stored in a non-canonical form. So only those rows are
remembered; at the end their canonical forms are looked up among all stored hashes (and codes)
in chunks, which finds every collision without holding the whole table in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag

from rongxin.core import pii
from rongxin.core.errors import InvalidInput
from rongxin.subjects.identifiers import normalise_identifier, parse_id_number, parse_uscc
from rongxin.subjects.models import Organisation, Person

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
