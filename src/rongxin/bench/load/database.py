"""The load database: its name, its one-time build with the documented commands, and the check
that a run can use it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from rongxin.bench.harness import Stopwatch, child_env, is_postgres, run_python
from rongxin.bench.load.scenarios import OFFER

DATA_SEED = 2026
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"


def database_url(engine_url: str | None, scale: float) -> str:
    """The load database: the URL's own database, or ``rongxin_load[_<scale>]`` on its server."""
    url = engine_url or DEFAULT_SERVER
    if not is_postgres(url):
        raise RuntimeError("the load test runs on PostgreSQL: pass --engine-url postgresql://...")
    parts = urlsplit(url)
    if parts.path.strip("/") in ("", "postgres"):
        name = "rongxin_load" if scale == 1.0 else "rongxin_load_" + f"{scale:g}".replace(".", "_")
        parts = parts._replace(path=f"/{name}")
    return urlunsplit(parts)


def db_name(url: str) -> str:
    return urlsplit(url).path.strip("/")


def _admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def ensure_database(url: str, scale: float, workers: int | None, data_dir: Path, rebuild: bool) -> dict[str, Any]:
    """Build the load database unless it exists; a failed build is dropped (so the next run
    builds it again) rather than left half loaded."""
    import psycopg

    name = db_name(url)
    with psycopg.connect(_admin_url(url), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and not rebuild:
            return {"built": False}
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = child_env(url, data_dir)
    generate = ["generate", "--scale", str(scale), "--seed", str(DATA_SEED), "--no-progress"]
    if workers is not None:
        generate += ["--workers", str(workers)]
    steps = {
        "migrate": ["migrate", "--noinput", "-v", "0"],
        "credit_load_starters": ["credit", "load-starters"],
        "incentives_load_starters": ["incentives", "load-starters"],
        "generate": generate,
    }
    seconds: dict[str, float] = {}
    try:
        for step, args in steps.items():
            print(f"bench load: building {name}: rongxin {' '.join(args)}…", file=sys.stderr)
            with Stopwatch() as t:
                run_python(["-m", "rongxin.cli", *args], env)
            seconds[step] = round(t.wall, 1)
        # Statistics and visibility maps as autovacuum leaves a live database, not as a bulk
        # load leaves it, so that the first run measures the same plans as the next.
        print(f"bench load: VACUUM (ANALYZE) {name}…", file=sys.stderr)
        with Stopwatch() as t, psycopg.connect(url, autocommit=True) as db:
            db.execute("VACUUM (ANALYZE)")
        seconds["vacuum_analyze"] = round(t.wall, 1)
    except BaseException:
        with psycopg.connect(_admin_url(url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise
    commands = [f"rongxin {' '.join(a)}" for a in steps.values()] + ["VACUUM (ANALYZE)"]
    return {"built": True, "seconds": seconds, "commands": commands}


def data_facts(scale: float) -> dict[str, Any]:
    """What the load database holds; stop with the way out when it is not usable."""
    from django.db.models import Count

    from rongxin.core import pii
    from rongxin.credit.models import Entry
    from rongxin.incentives.models import Incentive
    from rongxin.subjects.models import Person
    from rongxin.synth.models import SyntheticLoad
    from rongxin.volunteering.models import Activity, Volunteer

    rebuild = "drop and build it again with `make load REBUILD=1` (RONGXIN_LOAD_REBUILD=1)"
    load = SyntheticLoad.objects.order_by("pk").first()
    if load is None or not Volunteer.objects.exists() or not Incentive.objects.filter(code=OFFER).exists():
        raise RuntimeError(f"the load database is not completely built: {rebuild}")
    if load.scale != scale:
        raise RuntimeError(f"the load database holds scale {load.scale}, not {scale}: {rebuild}, or name another")
    sample = Person.objects.order_by("pk").values_list("id_number_encrypted", flat=True).first()
    try:
        pii.decrypt(bytes(sample or b""))
    except Exception as exc:
        raise RuntimeError(f"the load database was built under another RONGXIN_PII_KEY: {rebuild}") from exc
    by_kind = dict(Volunteer.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {
        "scale": load.scale,
        "seed": load.seed,
        "loaded_at": load.loaded_at.isoformat(),
        "subjects": load.counts.get("subjects"),
        "entries_estimate": _estimate(Entry._meta.db_table),
        "volunteers": by_kind,
        "activities_estimate": _estimate(Activity._meta.db_table),
    }


def _estimate(table: str) -> int:
    """The planner's row estimate (an exact count of 10M rows takes seconds)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cur.fetchone()
    return int(row[0]) if row else 0
