"""Tamper evidence: `credit verify` against stored heads and exported signed roots, and a
reconcile dry run that writes nothing. Tampering is done the way someone with database access
would do it: plain UPDATE and DELETE behind the services' back."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection

from rongxin.core.models import AuditEvent
from rongxin.core.signing import b64u, b64u_decode, ed25519_verify
from rongxin.credit.models import ChainRoot, Entry, GradeChange, LedgerKey, SubjectCredit, Transition
from rongxin.credit.selectors.roots import root_message
from rongxin.credit.services.due_process import entry_object
from rongxin.credit.services.entries import entry_record
from rongxin.credit.tasks import daily_root

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
DAY = dt.date(2026, 3, 1)


def record(people: dict[str, Any], subject: Any, key: str, rule: str = "T-GEN", points: int | None = 12) -> Entry:
    entry, _ = entry_record(
        actor=people["police"] if rule == "T-GEN" or rule == "T-MIN" else people["village"],
        subject_id=subject.pk,
        rule_code=rule,
        points=points,
        occurred_at=T0 - dt.timedelta(days=1),
        evidence="执法记录仪",
        source_key=key,
    )
    return entry


@pytest.fixture
def ledger(catalogue: Any, org_catalogue: Any, people: dict[str, Any]) -> dict[str, int]:
    """A person with three facts (two entries, an objection) and an organisation with two."""
    person, org = people["person"].subject, people["org"].subject
    a = record(people, person, "p1")
    record(people, person, "p2", points=15)
    entry_object(actor=people["resident"], entry_id=a.pk, reason="异议")
    record(people, org, "o1")
    record(people, org, "o2", points=10)
    return {"person": person.pk, "org": org.pk}


def run(*args: str) -> tuple[int, str, str]:
    """A `rongxin credit ...` command: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code: Any = 0
    try:
        call_command("credit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


# --- verify: chains against their stored heads -------------------------------------------------
def test_an_untouched_ledger_verifies(ledger):
    # when
    code, out, err = run("verify")
    # then
    assert (code, out, err) == (0, "ok: 2 chains, 5 facts verified\n", "")


def _delete_facts(ids: dict[str, int]) -> None:
    Transition.objects.filter(subject_id=ids["person"]).delete()
    Entry.objects.filter(subject_id=ids["person"]).delete()


def _delete_head(ids: dict[str, int]) -> None:
    SubjectCredit.objects.filter(pk=ids["person"]).delete()


def _truncate(ids: dict[str, int]) -> None:
    last = Transition.objects.get(subject_id=ids["person"], seq=3)
    previous = Entry.objects.get(subject_id=ids["person"], seq=2)
    last.delete()
    SubjectCredit.objects.filter(pk=ids["person"]).update(chain_head=previous.hash)


def _swap(ids: dict[str, int]) -> None:
    a = Entry.objects.get(subject_id=ids["person"], seq=2)
    b = Entry.objects.get(subject_id=ids["org"], seq=2)
    Entry.objects.filter(pk=a.pk).update(subject_id=ids["org"], seq=999)  # out of the unique key's way
    Entry.objects.filter(pk=b.pk).update(subject_id=ids["person"])
    Entry.objects.filter(pk=a.pk).update(seq=2)


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_delete_facts, [("person", 3, "head", "stored chain head has no facts")]),
        (_delete_head, [("person", 3, "head", "facts without a stored chain head")]),
        (_truncate, [("person", 2, "head", "stored chain head counts 3 facts, the chain has 2")]),
        (
            _swap,
            [
                ("person", 2, "entry", "previous hash does not match"),
                ("org", 2, "entry", "previous hash does not match"),
            ],
        ),
    ],
    ids=["facts deleted", "head deleted", "chain truncated", "facts swapped"],
)
def test_verify_names_each_tampered_subject(ledger, tamper: Callable[[dict[str, int]], None], expected):
    # given
    tamper(ledger)
    # when
    code, out, err = run("verify")
    # then
    broken = [
        f"链条断裂 / broken chain: subject {ledger[who]}, seq {seq} ({fact}): {reason}"
        for who, seq, fact, reason in sorted(expected, key=lambda x: ledger[x[0]])
    ]
    assert code == 1
    assert out == ""
    assert err.splitlines()[:-1] == broken
    assert err.splitlines()[-1].startswith(f"{len(expected)} broken chain(s) in ")


# --- daily roots: compute, sign, export, verify -----------------------------------------------
@pytest.fixture
def exported(ledger, frozen, tmp_path: Path) -> Path:
    """The root of DAY taken by the worker the next morning, exported; one more fact afterwards."""
    frozen.move_to("2026-03-02 09:00 +0800")
    daily_root()
    path = tmp_path / "roots.jsonl"
    assert run("roots", "export", str(path))[0] == 0
    return path


def test_the_worker_signs_yesterdays_root_once(ledger, frozen, people):
    # given: the day is not over (plus the grace for late commits) yet
    frozen.move_to("2026-03-02 00:05 +0800")
    assert daily_root() == "root for 2026-03-01 waits for late commits"
    assert ChainRoot.objects.count() == 0
    # when
    frozen.move_to("2026-03-02 09:00 +0800")
    record(people, people["person"], "late", points=10)  # a fact of the next day is not in it
    first = daily_root()
    second = daily_root()
    # then
    root = ChainRoot.objects.get()
    key = LedgerKey.objects.get()
    assert first == second
    assert (root.day, root.subjects, root.facts, root.key_id) == (DAY, 2, 5, key.kid)
    message = root_message(day=DAY, root=root.root, subjects=2, facts=5)
    assert ed25519_verify(public_key=bytes(key.public_key), signature=b64u_decode(root.signature), message=message)


def test_exported_roots_verify_while_later_facts_arrive(exported, people):
    # given: facts recorded after the root's day do not change it
    record(people, people["person"], "later", points=10)
    # when
    code, out, err = run("verify", "--roots", str(exported))
    # then
    assert (code, err) == (0, "")
    assert out == "ok: 1 exported roots verified\nok: 2 chains, 6 facts verified\n"
    line = json.loads(exported.read_text())
    assert sorted(line) == ["chains", "date", "facts", "key_id", "root", "signature"]
    assert (line["date"], line["chains"], line["facts"]) == ("2026-03-01", 2, 5)


def _edit_line(path: Path, **changes: Any) -> None:
    line = json.loads(path.read_text())
    line.update(changes)
    path.write_text(json.dumps(line) + "\n")


def _root_value_in_copy(path: Path, ids: dict[str, int]) -> None:
    _edit_line(path, root="f" * 64)


def _stored_root_rewritten(path: Path, ids: dict[str, int]) -> None:
    ChainRoot.objects.update(root="f" * 64)


def _forged_signature(path: Path, ids: dict[str, int]) -> None:
    line = json.loads(path.read_text())
    forged = Ed25519PrivateKey.generate().sign(
        root_message(day=DAY, root="f" * 64, subjects=line["chains"], facts=line["facts"])
    )
    _edit_line(path, root="f" * 64, signature=b64u(forged))


def _stored_root_deleted(path: Path, ids: dict[str, int]) -> None:
    ChainRoot.objects.all().delete()


def _history_erased(path: Path, ids: dict[str, int]) -> None:
    # A subject's whole history and its credit row: the chains alone cannot tell.
    Transition.objects.filter(subject_id=ids["org"]).delete()
    Entry.objects.filter(subject_id=ids["org"]).delete()
    SubjectCredit.objects.filter(pk=ids["org"]).delete()


def _chain_truncated_consistently(path: Path, ids: dict[str, int]) -> None:
    previous = Entry.objects.get(subject_id=ids["person"], seq=2)
    Transition.objects.filter(subject_id=ids["person"], seq=3).delete()
    SubjectCredit.objects.filter(pk=ids["person"]).update(chain_head=previous.hash, chain_seq=2)


NO_LONGER = "facts recorded up to this day give root"


@pytest.mark.parametrize(
    ("tamper", "reasons"),
    [
        (
            _root_value_in_copy,
            [
                "exported root: signature does not verify",
                "stored root differs from the exported copy",
                NO_LONGER,
            ],
        ),
        (
            _stored_root_rewritten,
            ["stored root differs from the exported copy", "stored root: signature does not verify"],
        ),
        (
            _forged_signature,
            ["exported root: signature does not verify", "stored root differs from the exported copy", NO_LONGER],
        ),
        (_stored_root_deleted, ["stored root is missing"]),
        (_history_erased, [NO_LONGER]),
        (_chain_truncated_consistently, [NO_LONGER]),
    ],
    ids=[
        "root value edited in the copy",
        "stored root rewritten",
        "forged signature",
        "stored root deleted",
        "a subject's history erased",
        "chain truncated with its head",
    ],
)
def test_roots_verify_finds_tampering(exported, ledger, tamper, reasons):
    # given
    tamper(exported, ledger)
    # when
    code, out, err = run("verify", "--roots", str(exported))
    # then: the chains alone look fine; the roots do not
    lines = err.splitlines()
    assert code == 1
    assert out == ""
    assert lines[-1].startswith("0 broken chain(s) in ")
    found = [line.removeprefix("根不符 / root mismatch: 2026-03-01: ") for line in lines[:-1]]
    assert [f[: len(NO_LONGER)] if f.startswith(NO_LONGER) else f for f in found] == reasons


def test_roots_verify_latest_only_recomputes_the_latest_day(exported, ledger, frozen):
    # given: a second day's root, exported
    frozen.move_to("2026-03-03 09:00 +0800")
    daily_root()
    run("roots", "export", str(exported))
    _history_erased(exported, ledger)
    # when
    code, _out, err = run("verify", "--roots", str(exported), "--latest-only")
    # then: only the latest day is recomputed, and it shows the erased history
    assert code == 1
    assert [line[: len("根不符 / root mismatch: 2026-03-02: " + NO_LONGER)] for line in err.splitlines()[:-1]] == [
        "根不符 / root mismatch: 2026-03-02: " + NO_LONGER
    ]


def test_an_unreadable_roots_file_fails(ledger, tmp_path):
    path = tmp_path / "roots.jsonl"
    path.write_text("not json\n")
    code, _out, err = run("verify", "--roots", str(path))
    assert code == 1
    assert err.splitlines()[0] == "根不符 / root mismatch: line 1: not a root record"


# --- reconcile: a dry run writes nothing --------------------------------------------------------
def _snapshot() -> dict[str, list[Any]]:
    return {
        "credit": list(SubjectCredit.objects.order_by("pk").values()),
        "entries": list(Entry.objects.order_by("pk").values()),
        "transitions": list(Transition.objects.order_by("pk").values()),
        "grades": list(GradeChange.objects.order_by("pk").values()),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


def _set_score(subject_id: int, score: int) -> None:
    table = connection.ops.quote_name(SubjectCredit._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET score = %s WHERE subject_id = %s", [score, subject_id])  # noqa: S608


def test_reconcile_reports_an_altered_score_and_writes_nothing_until_fix(ledger):
    # given
    _set_score(ledger["person"], 1)
    before = _snapshot()
    # when
    code, out, err = run("reconcile")
    # then
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"drift: subject {ledger['person']} score: cached 1 vs facts 985",
        "1 drift(s) in 2 subjects; 0 subject(s) with due time changes (the worker applies them)",
    ]
    assert _snapshot() == before
    # when
    code, out, err = run("reconcile", "--fix")
    # then
    assert code == 0
    assert out == "ok: 2 subjects reconciled, 1 drift(s) fixed; 0 subject(s) with due time changes applied\n"
    assert SubjectCredit.objects.get(pk=ledger["person"]).score == 985
    assert run("reconcile")[0] == 0


def test_reconcile_dry_run_leaves_due_time_changes_to_the_worker(catalogue, people, frozen):
    # given: a minor deduction that counts 90 days, and the worker has not run since it ended
    person = people["person"].subject
    entry = record(people, person, "m1", rule="T-MIN", points=None)
    frozen.move_to(T0 + dt.timedelta(days=91))
    before = _snapshot()
    # when
    code, out, err = run("reconcile")
    # then: no drift, nothing written
    assert (code, err) == (0, "")
    assert (
        out == "ok: 1 subjects reconciled, 0 drift(s); 1 subject(s) with due time changes (the worker applies them)\n"
    )
    assert _snapshot() == before
    # when: the fix applies the due change as the worker does
    assert run("reconcile", "--fix")[1] == (
        "ok: 1 subjects reconciled, 0 drift(s); 1 subject(s) with due time changes applied\n"
    )
    # then
    assert (SubjectCredit.objects.get(pk=person.pk).score, Entry.objects.get(pk=entry.pk).status) == (1000, "expired")
    # given: a second deduction fell due, and the due subject's score is altered as well
    entry = record(people, person, "m2", rule="T-MIN", points=None)
    frozen.move_to(T0 + dt.timedelta(days=182))
    _set_score(person.pk, 1)
    altered = _snapshot()
    # when
    code, out, err = run("reconcile")
    # then
    assert code == 1
    assert err.splitlines()[:2] == [
        f"drift: subject {person.pk} score: cached 1 vs facts 1000",
        f"drift: subject {person.pk} entry {entry.pk}: cached ('active', {entry.effective_at!r}, "
        f"{entry.counts_until!r}) vs facts ('expired', {entry.effective_at!r}, {entry.counts_until!r})",
    ]
    assert _snapshot() == altered
    # when
    assert run("reconcile", "--fix")[0] == 0
    # then
    assert (SubjectCredit.objects.get(pk=person.pk).score, Entry.objects.get(pk=entry.pk).status) == (1000, "expired")


def test_roots_compute_takes_a_past_day_once_and_refuses_an_unfinished_one(ledger, frozen):
    # given: 10:00 on DAY itself
    # when
    code = None
    try:
        run("roots", "compute", "--day", "2026-03-01")
    except CommandError as exc:
        code = str(exc)
    # then
    assert code == "这一天还没有结束，不能计算它的根。"
    assert ChainRoot.objects.count() == 0
    # when: a week later, for the past day, twice
    frozen.move_to("2026-03-08 09:00 +0800")
    first = run("roots", "compute", "--day", "2026-03-01")
    second = run("roots", "compute", "--day", "2026-03-01")
    # then
    root = ChainRoot.objects.get()
    assert first == second == (0, f"2026-03-01 {root.root} 2 chains 5 facts key {root.key_id}\n", "")
