"""Load a synthetic county (荣成市 at ``scale``) into the configured database.

    generate_county(scale=1.0, seed=1)  # 22 towns, 910 villages, 784k subjects, ~1.9M rows

The pieces, each usable on its own (the benchmark uses them to build the very same rows):

- :func:`rongxin.synth.county.plan_county`: region tree, practice sites, venues, village sizes
  and the list of row tasks (chunks of subjects);
- :func:`rongxin.synth.people.produce_chunk`: the rows of one task, deterministic per seed;
- :class:`ChunkSource`: produces the chunks in order, in worker processes when there is more
  than a little to do, so that row building and encryption overlap the inserts;
- :class:`BulkWriter`: writes rows with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), table
  and column names taken from the models' ``_meta``;
- :func:`load_plan`: writes a plan's rows with a writer, the same code for the generator and the
  benchmark's baseline.

The whole load is one transaction: it either lands completely or not at all. A database that
already holds regions or a synthetic load is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from tqdm import tqdm

from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.bulk import BulkWriter, TableSpec
from rongxin.core.errors import Conflict
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.subjects.models import ConsentEvent, Organisation, Person, Subject
from rongxin.synth.county import (
    DEFAULT_CHUNK_SIZE,
    REGION_FIELDS,
    SITE_FIELDS,
    VENUE_FIELDS,
    CountyPlan,
    Task,
    plan_county,
)
from rongxin.synth.models import SyntheticLoad
from rongxin.synth.people import (
    CONSENT_FIELDS,
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    PERSON_PARTS,
    SUBJECT_FIELDS,
    Chunk,
    produce_chunk,
)

REFUSAL_MESSAGE = "数据库中已有数据（区域或合成数据），拒绝重复加载。请使用新的数据库。"


class SyntheticLoadRefused(Conflict):
    code = "synth_already_loaded"
    default_message: Any = REFUSAL_MESSAGE


@dataclass
class GenerationResult:
    scale: float
    seed: int
    as_of: str
    engine: str
    method: str
    workers: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.counts.get("rows", 0)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows": self.rows}


# --- Writing ----------------------------------------------------------------------------
def table_specs() -> dict[str, TableSpec]:
    """The tables a load writes, in foreign-key order."""
    return {
        "regions": TableSpec.of(Region, REGION_FIELDS),
        "practice_sites": TableSpec.of(PracticeSite, SITE_FIELDS),
        "venues": TableSpec.of(Venue, VENUE_FIELDS),
        "subjects": TableSpec.of(Subject, SUBJECT_FIELDS),
        "persons": TableSpec.of(Person, PERSON_FIELDS),
        "organisations": TableSpec.of(Organisation, ORGANISATION_FIELDS),
        "consent_events": TableSpec.of(ConsentEvent, CONSENT_FIELDS),
    }


def empty_counts() -> dict[str, int]:
    keys = (
        "regions",
        "practice_sites",
        "venues",
        "subjects",
        "residents",
        "migrants",
        "enterprises",
        "individual_businesses",
        "persons",
        "organisations",
        "consent_events",
        "rows",
    )
    return dict.fromkeys(keys, 0)


def load_plan(
    writer: BulkWriter, plan: CountyPlan, chunks: Iterable[Chunk], *, bar: tqdm | None = None
) -> dict[str, int]:
    """Write the plan's fixed rows, then every chunk; return the row counts."""
    specs = table_specs()
    counts = empty_counts()
    counts["regions"] = writer.write(specs["regions"], plan.region_rows)
    counts["practice_sites"] = writer.write(specs["practice_sites"], plan.site_rows)
    counts["venues"] = writer.write(specs["venues"], plan.venue_rows)
    part_key = {
        "resident": "residents",
        "migrant": "migrants",
        "enterprise": "enterprises",
        "individual_business": "individual_businesses",
    }
    subjects, persons, organisations, consents = (
        specs["subjects"],
        specs["persons"],
        specs["organisations"],
        specs["consent_events"],
    )
    for chunk in chunks:
        n = writer.write(subjects, chunk.subjects)
        counts["subjects"] += n
        counts[part_key[chunk.part]] += n
        if chunk.part in PERSON_PARTS:
            counts["persons"] += writer.write(persons, chunk.details)
        else:
            counts["organisations"] += writer.write(organisations, chunk.details)
        counts["consent_events"] += writer.write(consents, chunk.consents)
        if bar is not None:
            bar.update(n)
    writer.reset_sequences([Region, Subject])
    counts["rows"] = sum(
        counts[k]
        for k in ("regions", "practice_sites", "venues", "subjects", "persons", "organisations", "consent_events")
    )
    return counts


# --- Producing chunks -------------------------------------------------------------------
_worker_plan: CountyPlan | None = None


def _worker_init(plan: CountyPlan) -> None:
    global _worker_plan
    _worker_plan = plan


def _worker_produce(task: Task) -> Chunk:
    assert _worker_plan is not None
    return produce_chunk(_worker_plan, task)


def default_workers(plan: CountyPlan) -> int:
    """No workers for a small load; otherwise one per spare core (the main process inserts)."""
    if len(plan.tasks) <= 2:
        return 0
    return max(1, min((os.cpu_count() or 2) - 1, 6))


class ChunkSource:
    """The plan's chunks in task order, produced in ``workers`` forked processes (0: inline).

    At most ``2 * workers + 1`` chunks are in flight, so memory stays bounded when inserting
    is slower than producing. Each chunk is seeded by its task, so the output does not depend
    on the number of workers. Workers are forked (Linux): they inherit Django's settings and
    the PII keys, and never touch the database connection.
    """

    def __init__(self, plan: CountyPlan, *, workers: int | None = None):
        self.plan = plan
        self.workers = default_workers(plan) if workers is None else workers
        self._pool: Any = None

    def __enter__(self) -> ChunkSource:
        if self.workers > 0:
            pii.keys()  # derive the keys once, before forking
            context = multiprocessing.get_context("fork")
            self._pool = context.Pool(self.workers, initializer=_worker_init, initargs=(self.plan,))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __iter__(self) -> Iterator[Chunk]:
        tasks = iter(self.plan.tasks)
        if self._pool is None:
            for task in tasks:
                yield produce_chunk(self.plan, task)
            return
        pending: deque[Any] = deque()
        for task in tasks:
            pending.append(self._pool.apply_async(_worker_produce, (task,)))
            if len(pending) > 2 * self.workers:
                break
        while pending:
            chunk = pending.popleft().get()
            following = next(tasks, None)
            if following is not None:
                pending.append(self._pool.apply_async(_worker_produce, (following,)))
            yield chunk


# --- The load ---------------------------------------------------------------------------
def refuse_if_loaded() -> None:
    """Raise :class:`SyntheticLoadRefused` when the database already has regions or a load."""
    if SyntheticLoad.objects.exists() or Region.objects.exists():
        raise SyntheticLoadRefused()


def plan_for_database(
    *, scale: float, seed: int, as_of: dt.date | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> CountyPlan:
    """A plan whose ids start after the rows already in the default database."""
    first_region = (Region.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    first_subject = (Subject.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    return plan_county(
        scale=scale,
        seed=seed,
        as_of=as_of or clock.today_local(),
        now=clock.now(),
        first_region_id=first_region,
        first_subject_id=first_subject,
        datetime_suffix="" if connection.vendor == "sqlite" else "+00:00",
        chunk_size=chunk_size,
    )


def generate_county(
    *,
    scale: float,
    seed: int,
    progress: bool = False,
    as_of: dt.date | None = None,
    workers: int | None = None,
    method: str = "auto",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> GenerationResult:
    """Load a synthetic county into the default database in one transaction.

    Raises :class:`SyntheticLoadRefused` (nothing written) if the database already has regions
    or a synthetic load. ``as_of`` is the day ages are counted to (default: today in the
    county); the same ``(scale, seed, as_of)`` gives the same rows.
    """
    started = time.perf_counter()
    with transaction.atomic():
        refuse_if_loaded()
        plan = plan_for_database(scale=scale, seed=seed, as_of=as_of, chunk_size=chunk_size)
        writer = BulkWriter(connection, method=method)
        with ChunkSource(plan, workers=workers) as source:
            bar = tqdm(
                total=sum(t.count for t in plan.tasks),
                unit="subjects",
                unit_scale=True,
                file=sys.stderr,
                disable=not progress,
                desc="rongxin generate",
            )
            with bar:
                counts = load_plan(writer, plan, source, bar=bar)
        writer.close()
        load = SyntheticLoad.objects.create(
            scale=scale,
            seed=seed,
            loaded_at=clock.now(),
            counts=counts,
            seconds=round(time.perf_counter() - started, 3),
        )
        result = GenerationResult(
            scale=scale,
            seed=seed,
            as_of=plan.as_of.isoformat(),
            engine=connection.vendor,
            method=writer.method,
            workers=source.workers,
            counts=counts,
        )
        audit_record(
            actor=None,
            kind="write",
            action="synth.generate",
            object_type="synth.syntheticload",
            object_id=load.pk,
            details={"scale": scale, "seed": seed, "as_of": result.as_of, "counts": counts},
        )
    result.seconds = time.perf_counter() - started
    return result
