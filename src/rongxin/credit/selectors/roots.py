"""Daily roots: one hash over every subject's chain head as of the end of a day, signed with the
ledger key, so that a copy kept outside the database shows later tampering.

- The root of day D is SHA-256 over the lines ``subject:seq:hash`` (subject order) of each
  subject's last fact recorded before the end of D (Beijing time): an entry counts by its
  ``recorded_at``, a transition by its ``at``. Facts are append-only and each hash covers the
  chain before it, so the root commits to every fact recorded up to D, and anyone can recompute
  it later from the facts; the cached heads in ``SubjectCredit`` are not trusted.
- The signature is Ed25519 over :func:`root_message` with the current :class:`LedgerKey`; the key
  id is stored with the root (the worker signs and stores it:
  :func:`rongxin.credit.services.roots.chain_root_record`).
- :func:`roots_verify` checks an exported copy: each signature, the stored roots against the
  copy, and each root against the facts recomputed for its day.

The heads of a day come from one grouped statement per engine, streamed in subject order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, transaction

from rongxin.core import clock
from rongxin.core.bulk import adapt_datetime
from rongxin.core.signing import b64u_decode, ed25519_verify
from rongxin.credit.models import ChainRoot, Entry, LedgerKey, Transition

MESSAGE_FORMAT = "rongxin-credit-root/v1"


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


@dataclass(frozen=True)
class RootValue:
    root: str
    subjects: int
    facts: int


@dataclass(frozen=True)
class RootProblem:
    day: str
    reason: str


def day_end(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the county (facts before it belong to the day's root)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=clock.LOCAL_TZ).astimezone(dt.UTC)


def _heads_sql() -> str:
    qn = connection.ops.quote_name
    e, t = qn(Entry._meta.db_table), qn(Transition._meta.db_table)
    # Group on two integers first (the hashes stay out of the big aggregate), then fetch the one
    # hash per subject through the (subject, seq) unique indexes.
    return f"""
        SELECT m.subject_id, m.seq, COALESCE(he.hash, ht.hash)
        FROM (
            SELECT f.subject_id, MAX(f.seq) AS seq FROM (
                SELECT subject_id, seq FROM {e} WHERE recorded_at < %s
                UNION ALL
                SELECT subject_id, seq FROM {t} WHERE at < %s
            ) f GROUP BY f.subject_id
        ) m
        LEFT JOIN {e} he ON he.subject_id = m.subject_id AND he.seq = m.seq
        LEFT JOIN {t} ht ON ht.subject_id = m.subject_id AND ht.seq = m.seq
        ORDER BY m.subject_id
    """  # noqa: S608 - table names from _meta, quoted; values are parameters


def heads_as_of(cutoff: dt.datetime) -> Iterator[tuple[int, int, str]]:
    """(subject, facts in chain, head hash) of every chain as of ``cutoff``, in subject order,
    streamed (a server-side cursor on PostgreSQL)."""
    at = adapt_datetime(connection, cutoff)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as plain:
                # The grouping over every fact spills to disk with the default 4 MB.
                plain.execute("SET LOCAL work_mem = '256MB'")
        cur = connection.chunked_cursor()
        try:
            cur.execute(_heads_sql(), [at, at])
            while rows := cur.fetchmany(20_000):
                for subject_id, seq, head in rows:
                    yield int(subject_id), int(seq), str(head)
        finally:
            cur.close()


def root_compute(*, day: dt.date) -> RootValue:
    """The root of ``day`` recomputed from the facts recorded before its end."""
    h = hashlib.sha256()
    subjects = facts = 0
    for subject_id, seq, head in heads_as_of(day_end(day)):
        h.update(f"{subject_id}:{seq}:{head}\n".encode())
        subjects += 1
        facts += seq
    return RootValue(h.hexdigest(), subjects, facts)


def root_message(*, day: dt.date, root: str, subjects: int, facts: int) -> bytes:
    """The bytes the ledger key signs for a day's root."""
    return f"{MESSAGE_FORMAT}\n{day.isoformat()}\n{root}\n{subjects}\n{facts}\n".encode()


def root_line(r: ChainRoot) -> str:
    """One exported root: a JSON object on one line."""
    record = {
        "date": r.day.isoformat(),
        "root": r.root,
        "chains": r.subjects,
        "facts": r.facts,
        "key_id": r.key_id,
        "signature": r.signature,
    }
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def roots_export(*, out: Writer) -> int:
    """Write every stored root as JSON lines, oldest first. Returns the number written."""
    n = 0
    for r in ChainRoot.objects.order_by("day").iterator(chunk_size=1000):
        out.write(root_line(r) + "\n")
        n += 1
    return n


def _signature_ok(
    keys: dict[str, bytes], *, day: dt.date, root: str, subjects: int, facts: int, kid: str, sig: str
) -> str:
    """'' when the signature verifies, else why not."""
    public = keys.get(kid)
    if public is None:
        return f"unknown signing key {kid!r}"
    try:
        raw = b64u_decode(sig)
    except ValueError:
        return "signature is not base64"
    message = root_message(day=day, root=root, subjects=subjects, facts=facts)
    return "" if ed25519_verify(public_key=public, signature=raw, message=message) else "signature does not verify"


def roots_verify(*, lines: Iterable[str], latest_only: bool = False) -> tuple[int, list[RootProblem]]:
    """Check an exported copy of the roots against the database. For each exported root: (a) its
    signature verifies with the ledger key named; (b) the stored root of its day is the same;
    (c) the facts recorded up to its day give the same root (with ``latest_only``, only for the
    latest day: its root already covers every earlier fact). Stored roots whose own signature
    fails are reported too. Returns (roots read, problems in day order)."""
    problems: list[RootProblem] = []
    exported: dict[dt.date, tuple[str, int, int, str, str]] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            day = dt.date.fromisoformat(rec["date"])
            exported[day] = (
                str(rec["root"]),
                int(rec["chains"]),
                int(rec["facts"]),
                str(rec["key_id"]),
                str(rec["signature"]),
            )
        except (ValueError, KeyError, TypeError):
            problems.append(RootProblem(f"line {n}", "not a root record"))
    keys = {kid: bytes(public) for kid, public in LedgerKey.objects.values_list("kid", "public_key")}
    stored = {r.day: r for r in ChainRoot.objects.all()}
    latest = max(exported, default=None)
    for day in sorted(exported):
        root, subjects, facts, kid, sig = exported[day]
        why = _signature_ok(keys, day=day, root=root, subjects=subjects, facts=facts, kid=kid, sig=sig)
        if why:
            problems.append(RootProblem(day.isoformat(), f"exported root: {why}"))
        s = stored.get(day)
        if s is None:
            problems.append(RootProblem(day.isoformat(), "stored root is missing"))
        elif (s.root, s.subjects, s.facts, s.key_id, s.signature) != exported[day]:
            problems.append(RootProblem(day.isoformat(), "stored root differs from the exported copy"))
        if not latest_only or day == latest:
            value = root_compute(day=day)
            if (value.root, value.subjects, value.facts) != (root, subjects, facts):
                problems.append(
                    RootProblem(
                        day.isoformat(),
                        f"facts recorded up to this day give root {value.root[:16]}… "
                        f"({value.subjects} chains, {value.facts} facts), not {root[:16]}… ({subjects}, {facts})",
                    )
                )
    for day in sorted(stored):
        s = stored[day]
        why = _signature_ok(
            keys, day=day, root=s.root, subjects=s.subjects, facts=s.facts, kid=s.key_id, sig=s.signature
        )
        if why:
            problems.append(RootProblem(day.isoformat(), f"stored root: {why}"))
    problems.sort(key=lambda p: p.day)
    return len(exported), problems
