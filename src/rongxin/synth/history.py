"""Three years of synthetic credit history for a generated county (about 10M entries at scale 1.0).

Per subject, deterministic for a seed (each subject's generator is seeded by seed and subject id):

- persons with consent and without: awards for volunteering, practice activities, good deeds and
  the like (about 11 a person over three years, more for the few very active); deductions on
  about 4% of persons (traffic, environment, civility, arrears, ...);
- enterprises and individual businesses: awards (taxes, donations, honours) and deductions on
  about 6% of them;
- the tail of low grades: about 8% of subjects are offenders (``OFFENDERS``) with one to
  eleven serious deductions and a few general ones, and fewer awards; they end at B, C or D
  (about 4%, 1.3% and 0.4% of the graded subjects at the demo's seed);
- every entry happens in the daytime (07:00–21:00 county time) and carries one of the kinds of
  evidence its rule requires (a commendation for a good deed, a penalty decision or a court
  judgment for a deduction), never another rule's;
- lifecycles: entries that need review are approved (95%) or rejected a few days later; some
  deductions are objected to and then upheld or revoked; some are repaired after their minimum
  period; the oldest stop counting by themselves.

Yearly caps of the rules are respected. Entries are written with the ledger's own set-based
append, so chains, scores and grades are exactly what the services would have produced.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from tqdm import tqdm

from rongxin.core import clock
from rongxin.core.bulk import BulkWriter, TableSpec, datetime_adapter
from rongxin.credit.domain.caps import cap_breach, cap_year
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.models import Entry, Rule, SubjectCredit, SubjectKind, Transition
from rongxin.credit.selectors.catalogues import catalogue_in_force
from rongxin.credit.services.bulk import ENTRY_FIELDS, TRANSITION_FIELDS, NewEntry, NewTransition, build_rows
from rongxin.credit.services.scores import refresh_subjects
from rongxin.subjects.models import Subject

YEARS = 3
PERSON_AWARDS_MEAN = 11.0
ORG_AWARDS_MEAN = 8.0
PERSON_DEDUCTION_SHARE = 0.04
ORG_DEDUCTION_SHARE = 0.06
OBJECTION_SHARE = 0.08
REPAIR_SHARE = 0.25
CHUNK_SUBJECTS = 20_000

# The tail of low grades: a few subjects in a hundred are the county's offenders, whose serious and
# general deductions take them down to B, fewer to C (several serious ones) and a handful to D
# (a run of serious ones: a criminal judgment, a dishonest judgment debtor, tax evasion). Each
# profile: (name, share of subjects, serious deductions, general deductions, awards factor, the
# years before now their deductions fall in). Objections, repairs and review lift some of them
# back up, as they would in the county. The grades these shares give are in docs/synthetic-county.md.
OFFENDERS: tuple[tuple[str, float, tuple[int, int], tuple[int, int], float, float], ...] = (
    ("d", 0.0080, (8, 11), (1, 3), 0.2, 3.0),
    ("c", 0.0200, (2, 4), (1, 2), 0.4, 2.0),
    ("b", 0.0500, (1, 1), (1, 2), 0.6, 0.9),
)
# Days are lived in daylight: things happen between 07:00 and 21:00 in the county.
DAY_FROM, DAY_SPAN = 7 * 3600, 14 * 3600
ONE_DAY = dt.timedelta(days=1)
DOCUMENT_ENDINGS = (
    "书", "记录", "文件", "证明", "证书", "材料", "意见", "公告", "名单", "凭证", "报告", "令", "单", "决定",
)  # fmt: skip


def evidence_choices(required: str) -> list[str]:
    """The kinds of document a rule's required evidence (``表彰决定或荣誉证书``) allows, one of
    which an entry carries. Split on ``或`` only where every side names a document, so
    ``公安机关、医疗机构或村居出具的核实材料`` stays whole."""
    text = required.strip()
    if not text:
        return ["核实材料"]
    parts = [p.strip() for p in text.split("或")]
    if len(parts) > 1 and all(len(p) >= 4 and re.sub(r"（[^）]*）$", "", p).endswith(DOCUMENT_ENDINGS) for p in parts):
        return parts
    return [text]


@dataclass
class HistoryResult:
    entries: int
    transitions: int
    subjects: int
    seconds: float


@dataclass
class _Rules:
    awards: list[Rule]
    award_weights: list[float]
    deductions: list[Rule]
    deduction_weights: list[float]
    departments: dict[int, tuple[int, str]]
    versions: dict[int, int]
    serious: list[Rule]
    general: list[Rule]
    evidence: dict[int, list[str]]


def _rules(kind: str, on: dt.date) -> _Rules:
    catalogue = catalogue_in_force(subject_kind=kind, on=on)
    if catalogue is None:
        raise RuntimeError(f"no {kind} catalogue in force on {on}: load the starter catalogues first")
    rules = list(catalogue.rules.prefetch_related("departments").order_by("code"))
    # Rules paid by verified volunteer hours (a points range in volunteering or practice) are
    # earned through the synthetic activities of the volunteering generator, not drawn here.
    awards = [
        r
        for r in rules
        if r.direction == "award"
        and not (r.category in ("volunteering", "practice_activity") and r.points_min != r.points_max)
        # and the quarterly commendation is earned at the funds generator's meetings
        and r.programme not in ("funds", "projects")
    ]
    deductions = [r for r in rules if r.direction == "deduction"]

    # Everyday participation is common; honours and serious deductions are rare.
    def award_weight(r: Rule) -> float:
        return {"volunteering": 8.0, "practice_activity": 6.0}.get(r.category, 1.0) / (1 + r.points_max / 10)

    def deduction_weight(r: Rule) -> float:
        return {"minor": 5.0, "general": 2.0, "serious": 0.3}[r.severity]

    return _Rules(
        awards=awards,
        award_weights=[award_weight(r) for r in awards],
        deductions=deductions,
        deduction_weights=[deduction_weight(r) for r in deductions],
        departments={r.pk: min((d.pk, d.code) for d in r.departments.all()) for r in rules},
        versions={r.pk: catalogue.version for r in rules},
        serious=[r for r in deductions if r.severity == "serious"],
        general=[r for r in deductions if r.severity == "general"],
        evidence={r.id: evidence_choices(r.evidence) for r in rules},
    )


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is fine for the small means used here; a few very active people get more.
    if rng.random() < 0.05:
        mean *= 4
    limit, k, p = 2.718281828459045 ** (-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def _daytime(rng: random.Random, first_midnight: dt.datetime, days: int, now: dt.datetime) -> dt.datetime:
    """A moment between 07:00 and 21:00 county time on one of the ``days`` days from
    ``first_midnight`` (county time), before ``now``."""
    at = first_midnight + dt.timedelta(seconds=int(rng.random() * days) * 86400 + DAY_FROM + rng.random() * DAY_SPAN)
    while at >= now:
        at -= ONE_DAY
    return at


@functools.lru_cache(maxsize=4)
def _days(start: dt.datetime, now: dt.datetime) -> tuple[dt.datetime, int]:
    """The county midnight of ``start``'s day (in UTC: arithmetic and comparisons on UTC times are
    cheap, and the county keeps no daylight saving time) and the number of days from it to
    ``now``'s, inclusive."""
    local = dt.datetime.combine(start.astimezone(clock.LOCAL_TZ).date(), dt.time(), tzinfo=clock.LOCAL_TZ)
    return local.astimezone(dt.UTC), (now.astimezone(clock.LOCAL_TZ).date() - local.date()).days + 1


def subject_history(
    *,
    rng: random.Random,
    subject_id: int,
    is_person: bool,
    rules: _Rules,
    start: dt.datetime,
    now: dt.datetime,
    keyspace: str,
) -> list[NewEntry]:
    first_midnight, days = _days(start, now)
    plan: list[tuple[Rule, dt.datetime]] = []
    awards_mean = PERSON_AWARDS_MEAN if is_person else ORG_AWARDS_MEAN
    draw = rng.random()
    offender = None
    for profile in OFFENDERS:
        if draw < profile[1]:
            offender = profile
            break
        draw -= profile[1]
    if offender is not None:
        _name, _share, serious, general, factor, years = offender
        awards_mean *= factor
        recent = max(1, min(days, round(365 * years)))
        since = first_midnight + dt.timedelta(days=days - recent)
        picks = rng.choices(rules.serious, k=rng.randint(*serious))
        picks += rng.choices(rules.general, k=rng.randint(*general))
        for rule in picks:
            plan.append((rule, _daytime(rng, since, recent, now)))
    rand = rng.random
    for rule in rng.choices(rules.awards, rules.award_weights, k=_poisson(rng, awards_mean)):
        # _daytime, inlined: most entries are awards and this loop is the generator's hot path
        at = first_midnight + dt.timedelta(seconds=int(rand() * days) * 86400 + DAY_FROM + rand() * DAY_SPAN)
        while at >= now:
            at -= ONE_DAY
        plan.append((rule, at))
    if offender is None and rng.random() < (PERSON_DEDUCTION_SHARE if is_person else ORG_DEDUCTION_SHARE):
        for rule in rng.choices(rules.deductions, rules.deduction_weights, k=1 + (rng.random() < 0.3)):
            plan.append((rule, _daytime(rng, first_midnight, days, now)))
    plan.sort(key=lambda p: p[1])
    used: dict[tuple[str, int], list[int]] = {}
    out: list[NewEntry] = []
    for n, (rule, occurred) in enumerate(plan):
        points = rng.randint(rule.points_min, rule.points_max)
        slot = used.setdefault((rule.code, cap_year(occurred)), [0, 0])
        if cap_breach(rule, entries=slot[0], points_used=slot[1], points=points) is not None:
            continue
        slot[0] += 1
        slot[1] += points
        recorded = min(occurred + dt.timedelta(hours=rng.uniform(1, 72)), now - dt.timedelta(minutes=1))
        signed = points * rule.sign
        choices = rules.evidence[rule.id]
        evidence = choices[0] if len(choices) == 1 else choices[int(rand() * len(choices))]
        transitions = _lifecycle(rng=rng, rule=rule, recorded=recorded, now=now)
        department_id, department_code = rules.departments[rule.pk]
        out.append(
            NewEntry(
                subject_id=subject_id,
                rule=rule,
                points=signed,
                occurred_at=occurred,
                recorded_at=recorded,
                department_id=department_id,
                recorder_id=None,
                source=Entry.Source.SYNTHETIC,
                source_key=f"{keyspace}:{subject_id}:{n}",
                content_hash=content_hash(
                    rule_code=rule.code,
                    catalogue_version=rules.versions[rule.pk],
                    points=signed,
                    occurred_at=occurred,
                    department=department_code,
                    evidence=evidence,
                ),
                evidence=evidence,
                transitions=transitions,
            )
        )
    return out


def _lifecycle(*, rng: random.Random, rule: Rule, recorded: dt.datetime, now: dt.datetime) -> list[NewTransition]:
    out: list[NewTransition] = []
    effective = recorded
    if rule.review_required:
        decided = recorded + dt.timedelta(days=rng.uniform(1, 5))
        if decided >= now:
            return out  # still awaiting review
        if rng.random() < 0.05:
            return [NewTransition("rejected", decided, reason="证据不足")]
        out.append(NewTransition("approved", decided, reason="审核通过"))
        effective = decided
    if rule.direction != "deduction":
        return out
    until = effective + dt.timedelta(days=rule.counting_days)
    if rng.random() < OBJECTION_SHARE:
        objected = effective + dt.timedelta(days=rng.uniform(0.5, rule.objection_days - 0.5))
        decided = objected + dt.timedelta(days=rng.uniform(2, 20))
        if objected >= now:
            return out
        out.append(NewTransition("objected", objected, reason="本人对记录有异议"))
        if decided >= now:
            return out  # awaiting a decision
        if rng.random() < 0.5:
            out.append(NewTransition("revoked", decided, reason="经核实，记录有误"))
            return out
        out.append(NewTransition("upheld", decided, reason="经核实，记录无误"))
    if rule.repair_after_days is not None and rng.random() < REPAIR_SHARE:
        applied = effective + dt.timedelta(days=rule.repair_after_days + rng.uniform(1, 30))
        if out and out[-1].kind == "upheld":
            # A repair is applied for once the objection is decided, never while it is open.
            applied = max(applied, out[-1].at + dt.timedelta(days=rng.uniform(1, 10)))
        decided = applied + dt.timedelta(days=rng.uniform(3, 15))
        if out and out[-1].kind == "objected":
            return out  # the objection is still open
        if applied < min(now, until):
            out.append(NewTransition("repair_applied", applied, reason="本人承诺整改并提交证明"))
            if decided < min(now, until):
                out.append(NewTransition("repaired", decided, reason="整改到位，同意修复"))
    return out


ID_BLOCK = 2_000_000  # entry and transition ids reserved per chunk of subjects (gaps are harmless)

# Set in the parent before forking; the workers only read it.
_job: dict[str, Any] = {}


def _produce(
    task: tuple[int, list[tuple[int, str]]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], dict[int, tuple[int, str]]]:
    """One chunk of subjects: their history, chained and hashed, as insert rows (no database)."""
    index, subjects = task
    entries: list[NewEntry] = []
    for subject_id, kind in subjects:
        rng = random.Random(f"{_job['seed']}:history:{subject_id}")
        is_person = kind == Subject.Kind.PERSON
        entries.extend(
            subject_history(
                rng=rng,
                subject_id=subject_id,
                is_person=is_person,
                rules=_job["rules"][SubjectKind.PERSON if is_person else SubjectKind.ORGANISATION],
                start=_job["start"],
                now=_job["now"],
                keyspace=f"synth{_job['seed']}",
            )
        )
    transitions = sum(len(e.transitions) for e in entries)
    if len(entries) >= ID_BLOCK or transitions >= ID_BLOCK:
        raise RuntimeError("a history chunk outgrew its id block; lower CHUNK_SUBJECTS")
    first = index * ID_BLOCK + 1
    return build_rows(
        entries=entries,
        heads={},
        entry_ids=iter(range(first, first + ID_BLOCK)),
        transition_ids=iter(range(first, first + ID_BLOCK)),
        now=_job["now"],
        adapt=_job["adapt"],
    )


def _tasks() -> Iterator[tuple[int, list[tuple[int, str]]]]:
    chunk: list[tuple[int, str]] = []
    index = 0
    for row in Subject.objects.order_by("id").values_list("id", "kind").iterator(chunk_size=CHUNK_SUBJECTS):
        chunk.append(row)
        if len(chunk) >= CHUNK_SUBJECTS:
            yield index, chunk
            index, chunk = index + 1, []
    if chunk:
        yield index, chunk


def generate_history(
    *, seed: int, progress: bool = False, now: dt.datetime | None = None, workers: int | None = None
) -> HistoryResult:
    """Write the history for every subject into an empty ledger, in one transaction. Chunks of
    subjects are built (history, chain, hashes, rows) in forked workers while this process
    writes; each subject's history is seeded by its id, so the result does not depend on the
    number of workers."""
    if Entry.objects.exists():
        raise RuntimeError("the ledger already has entries; synthetic history goes into an empty ledger")
    started = time.perf_counter()
    now = now or clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    _job.update(
        seed=seed,
        now=now,
        start=now - dt.timedelta(days=365 * YEARS),
        adapt=datetime_adapter(connection),
        rules={k: _rules(k, today) for k in (SubjectKind.PERSON, SubjectKind.ORGANISATION)},
    )
    total = Subject.objects.count()
    tasks = list(_tasks())
    if workers is None:
        # Building rows costs more than writing them, so every core builds and this process writes.
        workers = 0 if len(tasks) <= 1 else max(1, min(os.cpu_count() or 2, 6))
    bar = tqdm(total=total, unit="subjects", desc="credit history", disable=not progress)
    entries = transitions = 0
    heads: dict[int, tuple[int, str]] = {}
    entry_spec = TableSpec.of(Entry, ENTRY_FIELDS)
    transition_spec = TableSpec.of(Transition, TRANSITION_FIELDS)
    credit_spec = TableSpec.of(SubjectCredit, ("subject", "chain_seq", "chain_head", "grade", "updated_at"))
    stamp = _job["adapt"](now)
    pool = multiprocessing.get_context("fork").Pool(workers) if workers else None
    try:
        results = pool.imap(_produce, tasks) if pool else map(_produce, tasks)
        with transaction.atomic():
            writer = BulkWriter(connection)
            for (_, subjects), (entry_rows, transition_rows, new_heads) in zip(tasks, results, strict=True):
                writer.write(entry_spec, entry_rows)
                writer.write(transition_spec, transition_rows)
                writer.write(credit_spec, [(sid, seq, head, "", stamp) for sid, (seq, head) in new_heads.items()])
                heads.update(new_heads)
                entries += len(entry_rows)
                transitions += len(transition_rows)
                bar.update(len(subjects))
            writer.reset_sequences([Entry, Transition])
            subject_ids = sorted(heads)
            refresh_subjects(
                subject_ids=subject_ids,
                heads=dict.fromkeys(subject_ids, (0, "", None, "")),
                new_heads=heads,
                now=now,
                cause="synthetic",
                writer=writer,
            )
            writer.close()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        bar.close()
    # Fresh statistics after a bulk load, so the planners pick the subject-led indexes.
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return HistoryResult(
        entries=entries, transitions=transitions, subjects=total, seconds=time.perf_counter() - started
    )
