"""Verification of the hash chains: re-walk every subject's chain against its stored head, and
the root over all chain heads now."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rongxin.credit.domain.chain import GENESIS, entry_payload, fact_hash, transition_payload
from rongxin.credit.models import Entry, SubjectCredit, Transition


@dataclass(frozen=True)
class BrokenLink:
    subject_id: int
    seq: int
    fact: str
    reason: str


def _facts_by_subject() -> Iterator[tuple[int, list[Any]]]:
    """Every subject's facts (entries and transitions) merged in chain order, subject by subject."""
    entries = Entry.objects.order_by("subject_id", "seq").iterator(chunk_size=5000)
    transitions = Transition.objects.order_by("subject_id", "seq").iterator(chunk_size=5000)
    e = next(entries, None)
    t = next(transitions, None)
    current: int | None = None
    facts: list[Any] = []
    while e is not None or t is not None:
        take_e = t is None or (e is not None and (e.subject_id, e.seq) <= (t.subject_id, t.seq))
        fact: Any = e if take_e else t
        if take_e:
            e = next(entries, None)
        else:
            t = next(transitions, None)
        if fact.subject_id != current:
            if current is not None:
                yield current, facts
            current, facts = fact.subject_id, []
        facts.append(fact)
    if current is not None:
        yield current, facts


def _chain_problem(subject_id: int, facts: list[Any], head: tuple[int, str] | None) -> BrokenLink | None:
    """The first thing wrong with one subject's chain against its stored head, or None."""
    prev = GENESIS
    for expected_seq, fact in enumerate(facts, start=1):
        kind = "entry" if isinstance(fact, Entry) else "transition"
        if fact.seq != expected_seq:
            return BrokenLink(subject_id, fact.seq, kind, f"sequence gap: expected {expected_seq}")
        if fact.prev_hash != prev:
            return BrokenLink(subject_id, fact.seq, kind, "previous hash does not match")
        payload = entry_payload(fact) if kind == "entry" else transition_payload(fact)
        if fact_hash(prev, payload) != fact.hash:
            return BrokenLink(subject_id, fact.seq, kind, "content does not match its hash")
        prev = fact.hash
    if head is None:
        return BrokenLink(subject_id, len(facts), "head", "facts without a stored chain head")
    seq, head_hash = head
    if head_hash != prev:
        return BrokenLink(subject_id, len(facts), "head", "stored chain head does not match the last fact")
    if seq != len(facts):
        return BrokenLink(
            subject_id, len(facts), "head", f"stored chain head counts {seq} facts, the chain has {len(facts)}"
        )
    return None


def chains_check() -> tuple[int, int, list[BrokenLink]]:
    """Re-walk every subject's chain and hold it to its stored head (hash and fact count); a
    stored head whose facts are gone is a problem too. Returns (chains, facts, one problem per
    broken subject in subject order)."""
    heads = {
        sid: (seq, head)
        for sid, seq, head in SubjectCredit.objects.values_list("subject_id", "chain_seq", "chain_head")
    }
    chains = facts_total = 0
    problems: list[BrokenLink] = []
    for subject_id, facts in _facts_by_subject():
        chains += 1
        facts_total += len(facts)
        problem = _chain_problem(subject_id, facts, heads.pop(subject_id, None))
        if problem is not None:
            problems.append(problem)
    # What is left are heads without facts: fine only for a subject that never had any.
    problems.extend(
        BrokenLink(sid, seq, "head", "stored chain head has no facts")
        for sid, (seq, head) in heads.items()
        if seq or head
    )
    problems.sort(key=lambda p: p.subject_id)
    return chains, facts_total, problems


def chains_verify() -> tuple[int, int, BrokenLink | None]:
    """:func:`chains_check` reduced to the first problem (or None)."""
    chains, facts, problems = chains_check()
    return chains, facts, problems[0] if problems else None


def chains_root() -> tuple[str, int, int]:
    """A root over all chain heads: SHA-256 of ``subject:seq:head`` lines in subject order."""
    h = hashlib.sha256()
    subjects = facts = 0
    for subject_id, seq, head in (
        SubjectCredit.objects.filter(chain_seq__gt=0)
        .order_by("subject_id")
        .values_list("subject_id", "chain_seq", "chain_head")
        .iterator(chunk_size=10000)
    ):
        h.update(f"{subject_id}:{seq}:{head}\n".encode())
        subjects += 1
        facts += seq
    return h.hexdigest(), subjects, facts
