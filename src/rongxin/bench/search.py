"""Benchmark ``search``: finding credit files by part of a name, against a bare indexed lookup.

    rongxin bench search --scale 1.0 --json out.json      (DATABASE_URL=postgresql://... for PostgreSQL)

A scratch database is migrated and the synthetic county loaded (``generate_county``: 784,000
subjects at scale 1.0; timed and reported, not a goal), then its statistics are refreshed
(``VACUUM (ANALYZE)`` on PostgreSQL, ``ANALYZE`` on SQLite) as a live database would have them.
Four searchers are created: the county credit office, the officers of two towns and the
officer of one village.

Each query of :data:`QUERIES` (one character, two, three, four and more; names of
organisations and of persons; hits and misses) is run by every searcher through
:func:`rongxin.subjects.selectors.subject_search_page`, the selector the search page and the
API call (region scope, ranking, the first page of 50, the audit row), once untimed to warm
the caches and then :data:`ROUNDS` times timed. After each timed search the same process times
the baseline: a bare ``SELECT`` of subjects by exact name on the indexed ``name`` column (a
name sampled from the county), the fastest way the engine can find a subject by its name.

``search_p95_ms`` is the p95 of all timed searches of two characters or more; its ratio is
against the p95 of the baseline lookups. Also reported: p50/p95 by query length, by searcher
and per query, with the number of results on the first page.
"""

from __future__ import annotations

import random
import secrets
import statistics
import sys
import time
from typing import Any, TextIO

from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, p95, result, scratch_run, server_version

ROUNDS = 5
# (query, what it is). Hits and misses are those of the synthetic county, whatever the scale
# (the name parts come from ``rongxin.synth.names``); the JSON reports each query's results.
QUERIES: tuple[tuple[str, str], ...] = (
    ("张", "1 char: a surname (prefix)"),
    ("永泰", "2 chars: an enterprise's trade name"),
    ("水产", "2 chars: an industry, many enterprises"),
    ("网具", "2 chars: an industry"),
    ("志国", "2 chars: a given name"),
    ("诗萌", "2 chars: a given name"),
    ("麦当", "2 chars: a miss"),
    ("便利店", "3 chars: a kind of shop"),
    ("张明刚", "3 chars: a person's full name"),
    ("海鲜店", "3 chars: a kind of shop"),
    ("星巴克", "3 chars: a miss"),
    ("永泰水产", "4 chars: trade name and industry"),
    ("海参养殖", "4 chars: an industry"),
    ("船舶修造", "4 chars: an industry"),
    ("量子计算", "4 chars: a miss"),
    ("有限公司", "4 chars: in nearly every enterprise's name"),
    ("水产品加工", "5 chars: an industry"),
    ("荣成市永泰水产品加工有限公司", "14 chars: a full enterprise name"),
)


def run(
    *,
    scale: float = 1.0,
    seed: int = 1,
    json_path: str | None = None,
    engine_url: str | None = None,
    workers: int | None = None,
    stdout: TextIO | None = None,
    **_: Any,
) -> dict[str, Any]:
    whole = Stopwatch()
    engine, child = scratch_run("search", scale=scale, seed=seed, engine_url=engine_url, workers=workers)
    body = {k: child[k] for k in ("metrics", "baseline", "load", "by_length", "by_searcher", "queries")}
    out = result("search", scale=scale, engine=engine, body=body, server_version=child["server_version"], whole=whole)
    return emit_result(out, json_path=json_path, stdout=stdout)


# --- Child: runs with Django aimed at the scratch database ----------------------------------
def _load(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    from django.db import connection

    from rongxin.synth.generator import generate_county

    print("bench search: loading the county…", file=sys.stderr)
    county = generate_county(scale=scale, seed=seed, progress=False, workers=workers)
    with Stopwatch() as t, connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "subjects": county.counts["subjects"],
        "county_seconds": round(county.seconds, 1),
        "analyze_seconds": round(t.wall, 1),
    }


def _searchers() -> dict[str, Any]:
    """The county office, the officers of the largest and the smallest town, and the officer of
    the largest village of the largest town (by subjects)."""
    from django.db.models import Count

    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.services import GrantSpec, user_create
    from rongxin.regions.models import Region
    from rongxin.subjects.models import Subject

    county = Region.objects.get(level=Region.Level.COUNTY)
    towns = list(Subject.objects.values_list("town_id").annotate(n=Count("id")).order_by("-n", "town_id"))
    big_town, small_town = Region.objects.get(pk=towns[0][0]), Region.objects.get(pk=towns[-1][0])
    village_id = (
        Subject.objects.filter(town=big_town).values_list("village_id").annotate(n=Count("id")).order_by("-n")[0][0]
    )
    scopes = {
        "county": (Role.COUNTY_CREDIT_OFFICE, county),
        "large_town": (Role.TOWN_OFFICER, big_town),
        "small_town": (Role.TOWN_OFFICER, small_town),
        "village": (Role.VILLAGE_OFFICER, Region.objects.get(pk=village_id)),
    }
    return {
        label: user_create(
            actor=None,
            username=f"bench_search_{label}",
            display_name="bench",
            password=secrets.token_urlsafe(16),
            grants=[GrantSpec(role=role, region=region)],
        )
        for label, (role, region) in scopes.items()
    }


def _summary(samples: list[float]) -> dict[str, Any]:
    return {"p50": round(statistics.median(samples), 2), "p95": round(p95(samples), 2), "n": len(samples)}


def _length_class(query: str) -> str:
    return "4+" if len(query) >= 4 else str(len(query))


def _bench(rng: random.Random) -> dict[str, Any]:
    from django.db import connection

    from rongxin.subjects.models import Subject
    from rongxin.subjects.selectors import subject_search_page

    searchers = _searchers()
    names = list(
        Subject.objects.order_by("id").values_list("name", flat=True)[:: max(1, Subject.objects.count() // 2000)]
    )
    print("bench search: warming up…", file=sys.stderr)
    hits: dict[tuple[str, str], int] = {}
    for label, user in searchers.items():
        for q, _what in QUERIES:
            hits[(label, q)] = len(subject_search_page(actor=user, query=q, purpose="service").results)
    print("bench search: searching…", file=sys.stderr)
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in hits}
    base: list[float] = []
    for _ in range(ROUNDS):
        for label, user in searchers.items():
            for q, _what in QUERIES:
                t = time.perf_counter()
                subject_search_page(actor=user, query=q, purpose="service")
                samples[(label, q)].append((time.perf_counter() - t) * 1000)
                name = rng.choice(names)
                t = time.perf_counter()
                with connection.cursor() as cur:
                    cur.execute("SELECT id, name FROM subjects_subject WHERE name = %s", [name])
                    cur.fetchall()
                base.append((time.perf_counter() - t) * 1000)
    substring = [s for (_label, q), xs in samples.items() if len(q) >= 2 for s in xs]
    by_length: dict[str, list[float]] = {}
    by_searcher: dict[str, list[float]] = {}
    for (label, q), xs in samples.items():
        by_length.setdefault(_length_class(q), []).extend(xs)
        by_searcher.setdefault(label, []).extend(xs)
    return {
        "metrics": {
            "search_p95_ms": metric(p95(substring), "ms", p95(base))
            | {"p50": round(statistics.median(substring), 2), "searches": len(substring)},
        },
        "baseline": _summary(base),
        "by_length": {k: _summary(v) for k, v in sorted(by_length.items())},
        "by_searcher": {k: _summary(v) for k, v in by_searcher.items()},
        "queries": [
            {
                "query": q,
                "what": what,
                **{label: _summary(samples[(label, q)]) | {"results": hits[(label, q)]} for label in searchers},
            }
            for q, what in QUERIES
        ],
    }


def _child(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 - benchmark sampling
    load = _load(scale, seed, workers)
    return _bench(rng) | {"load": load, "server_version": server_version()}


def main() -> None:
    child_main(
        lambda a: _child(a.scale, a.seed, a.workers), description="the child of `rongxin bench search` (internal)"
    )


if __name__ == "__main__":
    main()
