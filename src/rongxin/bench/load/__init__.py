"""Load test ``load``: the hot endpoints under concurrent clients, against the documented
production server on PostgreSQL with a full-scale county.

    make load                        # scale 1.0 in the database rongxin_load (built once, reused)
    make load SCALE=0.05             # a quick run (database rongxin_load_0_05, 10 s a step)
    rongxin bench load --scale 1.0 --engine-url postgresql://postgres@127.0.0.1:5432/rongxin_load --json out.json

The database (``--engine-url``; a server URL without a database name means ``rongxin_load`` at
scale 1.0, ``rongxin_load_<scale>`` otherwise) is built on the first run, about 20 minutes at
scale 1.0, with exactly the documented commands: ``rongxin migrate``, ``rongxin credit
load-starters``, ``rongxin incentives load-starters``, ``rongxin generate --scale S --seed 2026``
(the county, three years of credit history and of volunteering). Later runs reuse it
(``RONGXIN_LOAD_REBUILD=1`` drops and rebuilds it). It is encrypted under the PII key of the
process that built it (``RONGXIN_PII_KEY``, or ``var/secrets.json`` in development); a run
with another key stops and says so. Only PostgreSQL: a load test of SQLite would measure its
single writer.

Each run then prepares, in the database (all accounts named ``load_*``):

- four county credit office accounts and eight signed-in sessions (the file pages need a
  staff grant and a purpose; every read is audited);
- eight accounts of the provider of the starter offer ``credit-supermarket``, each with a new
  API key, and ``20,000 × scale`` (at least 2,000) printed-card credentials of eligible persons,
  issued in bulk with the service's signing functions;
- ``6,000 × scale`` (at least 300, at most all) volunteers with accounts and new API keys,
  confirmed for new activities running now (20 a piece), with their rotating QR secrets.

and starts the production server as the Procfile and ``docs/operations.md`` document it:
gunicorn ``rongxin.config.wsgi`` with ``--workers 2 --threads 4`` (the workers follow the
cores, at least 2), ``RONGXIN_ENV=production`` (``RONGXIN_SSL_REDIRECT=0``, as behind a TLS
proxy), on a free local port. One setting differs from the defaults, as in ``rongxin bench
incentives``: ``RONGXIN_INCENTIVE_RATE=1000000/m``, so the per-account limit of credential
checks (600 a minute) is still counted, a cache write per request, but never refuses the
load of one account.

Scenarios, each a closed loop (every client sends its next request when the answer came; no
think time) for a fixed duration (``RONGXIN_LOAD_DURATION`` seconds; 60 at scale 1.0, 10
below) at each concurrency (``RONGXIN_LOAD_CONCURRENCY``, default ``8,32,64`` clients, one
keep-alive connection each), the clients spread over four processes so that they do not
queue on one interpreter lock:

- ``verify``: ``POST /api/v1/incentives/verify`` with one card token (a till checking a
  customer), a provider API key; expected 200 with ``eligible: true``.
- ``checkin``: ``POST /api/v1/volunteering/scan`` with the activity's current code
  (:func:`rongxin.volunteering.domain.tokens.token_for`), a volunteer's API key; each volunteer
  checks in, then out, then in again, never twice with one code (the service refuses a replayed
  code; a volunteer whose next scan would reuse the current 30-second code waits for the next
  one, and the time clients wait for a free volunteer is reported); expected 201.
- ``explanation``: ``GET /subjects/<id>/?purpose=service``, the staff file page with the
  credit explanation (audited read), a person or organisation with credit entries, an office
  session; expected 200.
- ``search``: ``GET /subjects/?q=...`` as the search form's htmx request (a full name, a
  two-character name prefix, an ID number or a USCC), an office session; expected 200.
- ``mixed``: the four together, each request drawn by :data:`~rongxin.bench.load.scenarios.MIX`.
- ``static`` (the baseline): ``GET /static/web/rongxin.css`` from the same server (WhiteNoise),
  the server's raw rate at the same concurrency.

Any other status, a wrong answer (a verification not ``eligible``) or a failed connection is an
error. Reported per step: requests/s (all answers), p50/p95/p99 ms of the expected answers,
error rate, statuses and the first errors, and the CPU seconds per second spent by the server
(gunicorn), the database backends of this database, the clients, and the rest of the machine
(another job's share shows there). After the steps the database is asked how many scans it
accepted and credential checks it answered ``eligible`` during the run: they must equal the
clients' counts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO

from rongxin.bench.harness import Stopwatch, child_env, emit_result, result, run_child, run_python
from rongxin.bench.load.database import database_url, db_name, ensure_database
from rongxin.bench.load.scenarios import MIX, RATE, STEPS, levels_from


def run(
    *,
    scale: float = 1.0,
    seed: int = 1,
    json_path: str | None = None,
    engine_url: str | None = None,
    workers: int | None = None,
    stdout: TextIO | None = None,
    duration: float | None = None,
    levels: list[int] | None = None,
    steps: tuple[str, ...] = STEPS,
    rebuild: bool | None = None,
    **_: Any,
) -> dict[str, Any]:
    """Build (once) or reuse the load database, then run every step; print and write the JSON."""
    from django.conf import settings

    whole = Stopwatch()
    url = database_url(engine_url, scale)
    if duration is None:
        duration = float(os.environ.get("RONGXIN_LOAD_DURATION") or (60 if scale >= 1.0 else 10))
    levels = levels or levels_from(os.environ.get("RONGXIN_LOAD_CONCURRENCY"))
    if rebuild is None:
        rebuild = os.environ.get("RONGXIN_LOAD_REBUILD", "") == "1"
    data_dir = Path(settings.DATA_DIR) / "load" / db_name(url)
    data_dir.mkdir(parents=True, exist_ok=True)
    build = ensure_database(url, scale, workers, data_dir, rebuild)
    env = child_env(url, data_dir)
    env["RONGXIN_INCENTIVE_RATE"] = RATE  # the child and the server it starts
    run_python(["-m", "rongxin.cli", "collectstatic", "--noinput", "-v", "0"], env)
    out = data_dir / "load.json"
    out.unlink(missing_ok=True)
    extra = ("--duration", str(duration), "--levels", ",".join(map(str, levels)), "--steps", ",".join(steps))
    child = run_child("rongxin.bench.load", env, out, scale=scale, seed=seed, extra=extra)
    body = {
        "database": db_name(url),
        "metrics": child["metrics"],
        "steps": child["steps"],
        "duration_s": duration,
        "levels": levels,
        "mix": MIX,
        "server": child["server"],
        "fixtures": child["fixtures"],
        "data": child["data"] | {"build": build},
        "consistency": child["consistency"],
        "started_at": child["started_at"],
    }
    final = result(
        "load", scale=scale, engine="postgresql", body=body, server_version=child["server_version"], whole=whole
    )
    return emit_result(final, json_path=json_path, stdout=stdout)
