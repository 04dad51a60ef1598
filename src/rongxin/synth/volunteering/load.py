"""The load: plan, produce every chunk (in forked workers when there are several), write it all
in one transaction with :class:`~rongxin.core.bulk.BulkWriter` (the big tables' secondary
indexes built once afterwards), then refresh the volunteers' scores."""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import json
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from tqdm import tqdm

from rongxin.accounts.models import Department
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.bulk import BulkWriter, TableSpec, datetime_adapter
from rongxin.credit.models import Catalogue, Entry, Rule, SubjectCredit, SubjectKind, Transition
from rongxin.credit.services.bulk import ENTRY_FIELDS, TRANSITION_FIELDS
from rongxin.credit.services.scores import refresh_subjects
from rongxin.synth.volunteering.awards import RuleSet
from rongxin.synth.volunteering.job import job
from rongxin.synth.volunteering.plan import VolunteeringPlan, utc
from rongxin.synth.volunteering.planning import plan_volunteering
from rongxin.synth.volunteering.produce import Produced, produce
from rongxin.synth.volunteering.rows import (
    ACTIVITY_FIELDS,
    AWARD_FIELDS,
    CORRECTION_FIELDS,
    MEMBERSHIP_FIELDS,
    RECORD_FIELDS,
    ROW_KINDS,
    SCAN_FIELDS,
    SIGNUP_FIELDS,
    TEAM_FIELDS,
    VOLUNTEER_FIELDS,
    stamp_adapter,
)
from rongxin.synth.volunteering.shape import CHUNK_VOLUNTEERS, DEPARTMENT
from rongxin.volunteering.models import (
    Activity,
    ActivityType,
    Correction,
    HoursAward,
    Membership,
    Scan,
    ServiceRecord,
    Signup,
    Team,
    Volunteer,
)
from rongxin.volunteering.selectors.roster import checkin_early_grace, policy_for


@dataclass
class VolunteeringResult:
    counts: dict[str, int]
    plan_counts: dict[str, int]
    seconds: float
    plan_seconds: float
    workers: int
    phases: dict[str, float] = field(default_factory=dict)  # seconds of the main process's steps

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "plan_counts": self.plan_counts,
            "seconds": round(self.seconds, 2),
            "plan_seconds": round(self.plan_seconds, 2),
            "workers": self.workers,
            "phases": {k: round(v, 2) for k, v in self.phases.items()},
        }


def _specs() -> dict[str, TableSpec]:
    return {
        "teams": TableSpec.of(Team, TEAM_FIELDS),
        "memberships": TableSpec.of(Membership, MEMBERSHIP_FIELDS),
        "activities": TableSpec.of(Activity, ACTIVITY_FIELDS),
        "volunteers": TableSpec.of(Volunteer, VOLUNTEER_FIELDS),
        "signups": TableSpec.of(Signup, SIGNUP_FIELDS),
        "scans": TableSpec.of(Scan, SCAN_FIELDS),
        "records": TableSpec.of(ServiceRecord, RECORD_FIELDS),
        "corrections": TableSpec.of(Correction, CORRECTION_FIELDS),
        "awards": TableSpec.of(HoursAward, AWARD_FIELDS),
        "entries": TableSpec.of(Entry, ENTRY_FIELDS),
        "transitions": TableSpec.of(Transition, TRANSITION_FIELDS),
    }


def _rule_sets(codes: set[str]) -> list[RuleSet]:
    out = []
    for c in Catalogue.objects.filter(subject_kind=SubjectKind.PERSON, status=Catalogue.Status.PUBLISHED).order_by(
        "effective_from"
    ):
        rules = {r.code: r for r in Rule.objects.filter(catalogue=c, code__in=codes)}
        missing = codes - set(rules)
        if missing:
            raise RuntimeError(f"catalogue {c.version} lacks the hours rules {sorted(missing)}")
        out.append(RuleSet(effective=c.effective_from.toordinal(), version=c.version, rules=rules))
    if not out:
        raise RuntimeError("no published person catalogue: load the starter catalogues first")
    return out


def _max_id(model: type[Model]) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return int(cur.fetchone()[0])


def _membership_rows(plan: VolunteeringPlan) -> tuple[list[int], list[tuple[Any, ...]]]:
    """Membership rows in volunteer order, with each row's volunteer index (to write them just
    after their volunteers: see :func:`generate_volunteering`)."""
    stamp = job["stamp"]
    ordered = sorted(plan.memberships, key=lambda m: (m[1], m[0]))
    rows = [
        (plan.teams[ti].id, plan.subject_ids[vi], role, status, stamp(applied), stamp(d) if d else None, None)
        for ti, vi, role, status, applied, d in ordered
    ]
    return [m[1] for m in ordered], rows


def _fixed_rows(plan: VolunteeringPlan) -> dict[str, list[tuple[Any, ...]]]:
    """Teams and activities (written by the main process before any chunk)."""
    stamp = job["stamp"]
    teams = [
        (t.id, t.name, t.tier, t.kind, t.region_id, "", stamp(min(plan.registered) - 86400), None, True)
        for t in plan.teams
    ]
    activities = []
    for ai, a in enumerate(plan.activities):
        team = plan.teams[a.team]
        cancelled = a.cancelled is not None
        activities.append(
            (
                a.id, team.id, job["type_ids"][a.type_code], a.title, f"{team.name}组织的志愿服务活动。", a.region_id,
                a.site_id, a.venue_id, a.place, _decimal(a.latitude), _decimal(a.longitude), a.geofence_m,
                stamp(a.starts), stamp(a.ends), a.capacity, stamp(a.opens), stamp(a.closes),
                a.min_age, json.dumps(list(a.skills)), a.type_code in job["risky"], a.status,
                0 if cancelled else plan.confirmed[ai], 0 if cancelled else plan.waiting[ai], a.qr_secret,
                stamp(a.created), None, stamp(a.published), stamp(a.cancelled) if cancelled else None,
                a.cancel_reason, stamp(a.closed) if a.closed is not None else None, None, None,
            )
        )  # fmt: skip
    return {"teams": teams, "activities": activities}


def _decimal(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(f"{x:.6f}")


def _heads(subject_ids: list[int]) -> dict[int, tuple[int, str, int | None, str]]:
    wanted = set(subject_ids)
    out: dict[int, tuple[int, str, int | None, str]] = {}
    for sid, seq, head, score, grade in SubjectCredit.objects.values_list(
        "subject_id", "chain_seq", "chain_head", "score", "grade"
    ).iterator(chunk_size=20_000):
        if sid in wanted:
            out[sid] = (seq, head, score, grade)
    return out


# The big per-participation tables: empty before the load, so their secondary indexes are built
# once, sorted, after the rows are in (far cheaper than millions of random B-tree inserts).
REBUILT_INDEX_MODELS = (Signup, Scan, ServiceRecord, HoursAward)


@contextlib.contextmanager
def _indexes_built_after(models: tuple[type[Model], ...]) -> Iterator[int]:
    """Drop the tables' plain secondary indexes (not primary keys or unique constraints) and
    create them again, from their own stored definitions, on exit. Inside the caller's
    transaction: on an error the drop rolls back with the rows."""
    tables = [m._meta.db_table for m in models]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "  # noqa: S608 - only placeholders
                f"WHERE i.schemaname = current_schema() AND i.tablename IN ({marks}) "
                "AND i.indexdef NOT LIKE 'CREATE UNIQUE%%' AND NOT EXISTS ("
                "SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname",
                tables,
            )
        else:
            cur.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "  # noqa: S608
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
                tables,
            )
        indexes = cur.fetchall()
        for name, _sql in indexes:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield len(indexes)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with deferred foreign-key checks pending:
            # run them now (every row they point at is written by now).
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in indexes:
            cur.execute(sql)
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _bounded(pool: Pool, tasks: list[tuple[int, int]], workers: int) -> Iterator[Produced]:
    """The chunks in order, at most two per worker in flight: writing is slower than building,
    and a finished chunk waiting to be written holds a few hundred MB at scale 1.0."""
    pending: deque[AsyncResult[Produced]] = deque()
    queue = iter(tasks)
    for task in itertools.islice(queue, 2 * workers):
        pending.append(pool.apply_async(produce, (task,)))
    while pending:
        produced = pending.popleft().get()
        following = next(queue, None)
        if following is not None:
            pending.append(pool.apply_async(produce, (following,)))
        yield produced


def default_workers(tasks: int) -> int:
    """Building rows (hashing, attendance) costs more than writing them: every core builds."""
    return 0 if tasks <= 1 else max(1, min(os.cpu_count() or 2, 6))


def generate_volunteering(
    *,
    scale: float,
    seed: int,
    progress: bool = False,
    now: dt.datetime | None = None,
    workers: int | None = None,
    open_days: float = 0.0,
) -> VolunteeringResult:
    """Load the synthetic volunteering of a generated county in one transaction (see the
    package docstring); needs the county and the starter catalogues (the credit history is
    optional). Refuses a database that already has volunteers, teams or activities."""
    if Volunteer.objects.exists() or Team.objects.exists() or Activity.objects.exists():
        raise RuntimeError("the database already has volunteering data; synthetic volunteering goes into none")
    started = time.perf_counter()
    now = (now or clock.now()).replace(microsecond=0)
    types = list(ActivityType.objects.values_list("code", "id", "name_zh", "credit_rule_code", "risky"))
    rule_codes = {code: rule for code, _i, _n, rule, _r in types}
    job.clear()
    job.update(
        adapt=datetime_adapter(connection),
        stamp=stamp_adapter(connection.vendor),
        rule_sets=_rule_sets(set(rule_codes.values())),
        rule_codes=rule_codes,
        type_ids={code: i for code, i, _n, _r, _k in types},
        type_names={code: n for code, _i, n, _r, _k in types},
        risky={code for code, _i, _n, _r, risky in types if risky},
        department_id=Department.objects.get(code=DEPARTMENT).pk,
    )
    plan = plan_volunteering(
        scale=scale,
        seed=seed,
        now=now,
        open_days=open_days,
        first_team_id=_max_id(Team) + 1,
        first_activity_id=_max_id(Activity) + 1,
    )
    plan_seconds = time.perf_counter() - started
    first_year = min((utc(a.starts).astimezone(clock.LOCAL_TZ).year for a in plan.activities), default=now.year)
    job.update(
        plan=plan,
        team_names=[t.name for t in plan.teams],
        policies={y: policy_for(y) for y in range(first_year, now.year + 2)},
        early_grace=checkin_early_grace(),
        heads=_heads(plan.subject_ids),
        record_base=_max_id(ServiceRecord),
        entry_base=_max_id(Entry),
        transition_base=_max_id(Transition),
    )
    tasks = [
        (lo, min(lo + CHUNK_VOLUNTEERS, len(plan.subject_ids)))
        for lo in range(0, len(plan.subject_ids), CHUNK_VOLUNTEERS)
    ]
    workers = default_workers(len(tasks)) if workers is None else workers
    specs = _specs()
    counts: Counter[str] = Counter()
    phases: dict[str, float] = {"plan": plan_seconds}
    new_heads: dict[int, tuple[int, str]] = {}
    bar = tqdm(total=len(plan.subject_ids), unit="volunteers", desc="volunteering", disable=not progress)
    pool = multiprocessing.get_context("fork").Pool(workers) if workers else None
    try:
        results = _bounded(pool, tasks, workers) if pool else map(produce, tasks)
        with transaction.atomic():
            writer = BulkWriter(connection)
            for kind, rows in _fixed_rows(plan).items():
                counts[kind] += writer.write(specs[kind], rows)
            member_of, member_rows = _membership_rows(plan)
            with _indexes_built_after(REBUILT_INDEX_MODELS) as rebuilt:
                for (lo, hi), produced in zip(tasks, results, strict=True):
                    for kind in ROW_KINDS:
                        t = time.perf_counter()
                        counts[kind] += writer.write(specs[kind], produced.rows[kind])
                        phases[f"write_{kind}"] = phases.get(f"write_{kind}", 0.0) + time.perf_counter() - t
                        if kind == "volunteers":
                            # Every row is written after the rows it points at, so no deferred
                            # foreign-key check is ever pending: SQLite would otherwise look for
                            # children of each new parent row, and some child indexes are gone.
                            a, b = bisect.bisect_left(member_of, lo), bisect.bisect_left(member_of, hi)
                            counts["memberships"] += writer.write(specs["memberships"], member_rows[a:b])
                    new_heads.update(produced.new_heads)
                    counts["minutes"] += produced.minutes
                    counts["points"] += produced.points
                    bar.update(hi - lo)
                t = time.perf_counter()
            phases["indexes"] = time.perf_counter() - t
            counts["indexes_rebuilt"] = rebuilt
            writer.reset_sequences([Team, Activity, ServiceRecord, Entry, Transition])
            heads = job["heads"]
            fresh = sorted(set(new_heads) - set(heads))
            stamp = job["adapt"](now)
            writer.write(
                TableSpec.of(SubjectCredit, ("subject", "chain_seq", "chain_head", "grade", "updated_at")),
                [(sid, 0, "", "", stamp) for sid in fresh],
            )
            subject_ids = sorted(new_heads)
            t = time.perf_counter()
            counts["grade_changes"] = refresh_subjects(
                subject_ids=subject_ids,
                heads={sid: heads.get(sid, (0, "", None, "")) for sid in subject_ids},
                new_heads=new_heads,
                now=now,
                cause="synthetic.volunteering",
                writer=writer,
            )
            writer.close()
            phases["refresh"] = time.perf_counter() - t
            result = VolunteeringResult(
                counts=dict(counts),
                plan_counts=plan.counts,
                seconds=0.0,
                plan_seconds=plan_seconds,
                workers=workers,
                phases=phases,
            )
            audit_record(
                actor=None,
                kind="write",
                action="synth.volunteering",
                object_type="synth.syntheticload",
                object_id="",
                details={"scale": scale, "seed": seed, "counts": dict(counts)},
            )
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        bar.close()
        job.clear()
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    phases["analyze"] = time.perf_counter() - t
    result.seconds = time.perf_counter() - started
    return result
