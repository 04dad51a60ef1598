"""Benchmark ``projects``: the public catalogue of the project marketplace with filters, and the
charity ceremony screen's refresh.

    rongxin bench projects --scale 1.0 --json out.json     (DATABASE_URL=postgresql://... for PostgreSQL)

A scratch database is migrated and loaded: the county (``generate_county``), the starter
catalogues and the synthetic marketplace (``rongxin.synth.projects.generate_projects``: at scale
1.0 about 1,200 projects over three years in every state, their pledges, payments and spendings
as journal entries, small wishes and a ceremony a year). The load is timed and reported, not a
goal; then ``VACUUM (ANALYZE)`` (``ANALYZE`` on SQLite). Without the generator on the branch
nothing can be measured and both figures are reported as unavailable; without the catalogue
selector, that figure alone.

- ``catalogue_ms``: :func:`rongxin.projects.selectors.catalogue.catalogue_page` (its count and a
  page of 20, newest first), p95 of :data:`ROUNDS` calls over a rotation of filters (none, each
  public state, a town, a category, a word of a title, and pairs of them), after a warm-up.
  Baseline, in the same run: the same rotation as hand-written ``SELECT … WHERE … ORDER BY …
  LIMIT 20`` with the region and its town joined, plus ``SELECT COUNT(*)``, fetched. Target
  p95 ≤ 150 ms.
- ``ceremony_live_ms``: :func:`rongxin.projects.selectors.ceremony.ceremony_live` for the latest
  ceremony (what the screen fetches every 5 seconds), p95 of :data:`ROUNDS` calls. Baseline: the
  batch's board, the sums of the ceremony's pledges and its latest ten claims, hand-written and
  fetched. Target p95 ≤ 50 ms.

Ratios are value ÷ baseline (how many times the bare SQL).
"""

from __future__ import annotations

import importlib
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TextIO

from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, p95, result, scratch_run, server_version

ROUNDS = 200
TARGET_CATALOGUE_MS = 150.0
TARGET_CEREMONY_MS = 50.0
SYNTH_MODULE = "rongxin.synth.projects"
CATALOGUE_MODULE = "rongxin.projects.selectors.catalogue"
PUBLIC = ("published", "claimed", "in_progress", "completed", "accepted", "closed")


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
    engine, child = scratch_run("projects", scale=scale, seed=seed, engine_url=engine_url, workers=workers)
    body = {k: child[k] for k in ("metrics", "load", "catalogue", "ceremony")}
    out = result("projects", scale=scale, engine=engine, body=body, server_version=child["server_version"], whole=whole)
    return emit_result(out, json_path=json_path, stdout=stdout)


def _has(module: str, name: str) -> bool:
    try:
        if importlib.util.find_spec(module) is None:
            return False
    except ModuleNotFoundError:
        return False
    return hasattr(importlib.import_module(module), name)


def synth_available() -> bool:
    return _has(SYNTH_MODULE, "generate_projects")


def catalogue_available() -> bool:
    return _has(CATALOGUE_MODULE, "catalogue_page")


def unavailable(why: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"value": None, "unit": "ms", "available": False}, {"available": False, "why": why}


# --- Child: runs with Django aimed at the scratch database ----------------------------------------
def _load(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.credit.services.catalogue import catalogue_load_starters
    from rongxin.synth.generator import generate_county

    print("bench projects: loading the county…", file=sys.stderr)
    county = generate_county(scale=scale, seed=seed, progress=False, workers=workers)
    catalogue_load_starters()
    out: dict[str, Any] = {"subjects": county.counts["subjects"], "county_seconds": round(county.seconds, 1)}
    if synth_available():
        print("bench projects: the marketplace…", file=sys.stderr)
        made = importlib.import_module(SYNTH_MODULE).generate_projects(seed=seed, now=clock.now(), scale=scale)
        out |= {"projects_seconds": round(made.seconds, 1), "projects": made.counts}
    else:
        print("bench projects: generate_projects is not on this branch; nothing to measure.", file=sys.stderr)
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return out


def _timed(
    calls: list[Callable[[], Any]], bare: list[Callable[[], Any]], rounds: int
) -> tuple[list[float], list[float]]:
    """Seconds of ``rounds`` calls of each side, taking the filters in turn (after one warm-up
    each). The two sides alternate call by call, so a busy moment of the machine weighs on both
    alike."""
    for call in (*calls, *bare):
        call()
    samples: list[float] = []
    base: list[float] = []
    for i in range(rounds):
        for side, out in ((calls, samples), (bare, base)):
            call = side[i % len(side)]
            t = time.perf_counter()
            call()
            out.append(time.perf_counter() - t)
    return samples, base


def _figure(samples: list[float], base: list[float], target_ms: float) -> dict[str, Any]:
    value, baseline = p95(samples) * 1000, p95(base) * 1000
    return metric(value, "ms", baseline) | {
        "p50_ms": round(statistics.median(samples) * 1000, 3),
        "baseline_p50_ms": round(statistics.median(base) * 1000, 3),
        "target_ms": target_ms,
        "meets_target": value <= target_ms,
    }


def _filters() -> list[dict[str, str]]:
    """The rotation: no filter, each public state, towns, categories, words of titles, pairs."""
    from rongxin.projects.models import Project
    from rongxin.regions.models import Region

    towns = list(Region.objects.filter(level=Region.Level.TOWN).order_by("code").values_list("code", flat=True)[:4])
    titles = list(Project.objects.filter(state__in=PUBLIC).order_by("id").values_list("title", flat=True)[:200:50])
    words = [t[:2] for t in titles if len(t) >= 2] or ["助"]
    cats = Project.Category.values
    out: list[dict[str, str]] = [{}]
    out += [{"state": s} for s in PUBLIC]
    out += [{"town_code": t} for t in towns]
    out += [{"category": c} for c in cats[:4]]
    out += [{"q": w} for w in words]
    out += [{"state": "published", "town_code": t} for t in towns[:2]]
    out += [{"category": c, "town_code": towns[0]} for c in cats[:2] if towns]
    out += [{"state": "published", "q": words[0]}]
    return out


def _bare_catalogue(f: dict[str, str]) -> Callable[[], Any]:
    """The same filter, count and page, in hand-written SQL."""
    from django.db import connection

    from rongxin.projects.models import Project
    from rongxin.regions.models import Region

    qn = connection.ops.quote_name
    p, r = qn(Project._meta.db_table), qn(Region._meta.db_table)
    where = [f"p.{qn('state')} IN ({', '.join(['%s'] * len(PUBLIC))})"]
    params: list[Any] = list(PUBLIC)
    if f.get("state"):
        where.append(f"p.{qn('state')} = %s")
        params.append(f["state"])
    if f.get("category"):
        where.append(f"p.{qn('category')} = %s")
        params.append(f["category"])
    if f.get("town_code"):
        where.append(
            f"p.{qn('region_id')} IN (SELECT t.{qn('id')} FROM {r} t LEFT JOIN {r} tp "  # noqa: S608
            f"ON tp.{qn('id')} = t.{qn('parent_id')} WHERE t.{qn('code')} = %s OR tp.{qn('code')} = %s)"
        )
        params += [f["town_code"], f["town_code"]]
    if f.get("q"):
        like = "%" + f["q"] + "%"
        where.append(
            f"(UPPER(p.{qn('title')}) LIKE UPPER(%s) OR UPPER(p.{qn('number')}) LIKE UPPER(%s) "
            f"OR UPPER(p.{qn('title_name')}) LIKE UPPER(%s))"
        )
        params += [like, like, like]
    cond = " AND ".join(where)
    cols = ", ".join(
        f"p.{qn(c)}"
        for c in (
            "id",
            "number",
            "title",
            "title_name",
            "category",
            "state",
            "budget",
            "pledged",
            "raised",
            "beneficiary_count",
            "starts_on",
            "ends_on",
            "published_at",
        )
    )
    page = (
        f"SELECT {cols}, g.{qn('name')}, gp.{qn('name')}, g.{qn('level')} FROM {p} p "  # noqa: S608
        f"JOIN {r} g ON g.{qn('id')} = p.{qn('region_id')} LEFT JOIN {r} gp ON gp.{qn('id')} = g.{qn('parent_id')} "
        f"WHERE {cond} ORDER BY p.{qn('published_at')} DESC NULLS LAST, p.{qn('id')} DESC LIMIT 20"
    )
    count = f"SELECT COUNT(*) FROM {p} p WHERE {cond}"  # noqa: S608

    def call() -> tuple[int, int]:
        with connection.cursor() as cur:
            cur.execute(count, params)
            total = cur.fetchone()[0]
            cur.execute(page, params)
            return total, len(cur.fetchall())

    return call


def _bench_catalogue(rounds: int) -> tuple[dict[str, Any], dict[str, Any]]:
    if not synth_available():
        return unavailable(f"{SYNTH_MODULE}.generate_projects is missing")
    if not catalogue_available():
        print("bench projects: catalogue_page is not on this branch; skipped.", file=sys.stderr)
        return unavailable(f"{CATALOGUE_MODULE}.catalogue_page is missing")
    module = importlib.import_module(CATALOGUE_MODULE)
    filters = _filters()
    selector: list[Callable[[], Any]] = [partial(module.catalogue_page, **f) for f in filters]
    bare = [_bare_catalogue(f) for f in filters]
    # The selector and the bare SQL must agree on every filter (same totals, same page sizes).
    same = all((page.total, len(page.rows)) == b() for page, b in zip((s() for s in selector), bare, strict=True))
    print(f"bench projects: the catalogue, {rounds} pages over {len(filters)} filters…", file=sys.stderr)
    samples, base = _timed(selector, bare, rounds)
    from rongxin.projects.models import Project

    info = {
        "available": True,
        "projects": Project.objects.count(),
        "public": Project.objects.filter(state__in=PUBLIC).count(),
        "filters": filters,
        "same_results": same,
        "rounds": rounds,
    }
    return _figure(samples, base, TARGET_CATALOGUE_MS), info


def _bench_ceremony(rounds: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from rongxin.projects.models import Pledge, Project
    from rongxin.projects.selectors.ceremony import LATEST, ceremony_latest, ceremony_live

    if not synth_available():
        return unavailable(f"{SYNTH_MODULE}.generate_projects is missing")
    c = ceremony_latest()
    if c is None:
        return unavailable("the synthetic county has no ceremony")
    qn = connection.ops.quote_name
    p, g = qn(Project._meta.db_table), qn(Pledge._meta.db_table)
    public = ", ".join(["%s"] * len(PUBLIC))
    statements: list[tuple[str, list[Any]]] = [
        (
            f"SELECT {qn('id')}, {qn('number')}, {qn('title')}, {qn('title_name')}, {qn('budget')}, "  # noqa: S608
            f"{qn('pledged')}, {qn('state')} FROM {p} WHERE {qn('ceremony_id')} = %s AND {qn('state')} IN ({public}) "
            f"ORDER BY {qn('number')}",
            [c.pk, *PUBLIC],
        ),
        (
            f"SELECT COUNT(*), SUM({qn('amount')}), SUM({qn('paid')}) FROM {g} "  # noqa: S608
            f"WHERE {qn('ceremony_id')} = %s AND {qn('state')} <> %s",
            [c.pk, "withdrawn"],
        ),
        (
            f"SELECT g.{qn('sponsor_name')}, g.{qn('anonymous')}, g.{qn('amount')}, g.{qn('pledged_at')}, "  # noqa: S608
            f"g.{qn('title')}, g.{qn('project_id')}, p.{qn('title')}, p.{qn('title_name')} FROM {g} g "
            f"JOIN {p} p ON p.{qn('id')} = g.{qn('project_id')} WHERE g.{qn('ceremony_id')} = %s "
            f"AND g.{qn('state')} <> %s ORDER BY g.{qn('pledged_at')} DESC, g.{qn('id')} DESC LIMIT {LATEST}",
            [c.pk, "withdrawn"],
        ),
    ]

    def bare() -> list[int]:
        sizes = []
        with connection.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)
                sizes.append(len(cur.fetchall()))
        return sizes

    print(f"bench projects: the {c.year} ceremony's screen, {rounds} refreshes…", file=sys.stderr)
    samples, base = _timed([lambda: ceremony_live(ceremony=c)], [bare], rounds)
    live = ceremony_live(ceremony=c)
    sizes = bare()
    info = {
        "available": True,
        "year": c.year,
        "launched": live.launched,
        "claimed": live.claimed,
        "pledges": live.pledges,
        "pledged": str(live.pledged),
        "same_results": sizes == [len(live.board), 1, len(live.latest)],
        "rounds": rounds,
    }
    return _figure(samples, base, TARGET_CEREMONY_MS), info


def _child(scale: float, seed: int, workers: int | None, rounds: int = ROUNDS) -> dict[str, Any]:
    load = _load(scale, seed, workers)
    catalogue_metric, catalogue_info = _bench_catalogue(rounds)
    ceremony_metric, ceremony_info = _bench_ceremony(rounds)
    return {
        "metrics": {"catalogue_ms": catalogue_metric, "ceremony_live_ms": ceremony_metric},
        "load": load,
        "catalogue": catalogue_info,
        "ceremony": ceremony_info,
        "server_version": server_version(),
    }


def main() -> None:
    child_main(
        lambda a: _child(a.scale, a.seed, a.workers), description="the child of `rongxin bench projects` (internal)"
    )


if __name__ == "__main__":
    main()
