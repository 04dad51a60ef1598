"""Benchmark ``incentives``: offline and online verification of credentials, the eligibility
export, and single verifications against the production server.

    rongxin bench incentives --scale 1.0 --json out.json   (DATABASE_URL=postgresql://... for PostgreSQL)

A scratch database is migrated and loaded: the county, the starter catalogues and three years of
credit history (so grades are real), the starter incentives. No volunteering is generated: it
does not change who is eligible, only how grades came about. The load is timed and reported,
not a goal. Then:

- holders: ``40,000 × scale`` (at least 2,000) distinct persons eligible for the starter offer
  ``credit-supermarket`` (grade A or better) get a printed-card credential. One of them is
  created by :func:`~rongxin.incentives.services.credentials.credential_issue` for a linked account; the
  rest are issued in bulk with the same signing functions (same key, pseudonymous holder ids,
  claims and ``Credential`` rows), since a service call per holder would only time the load.
  Every token is checked to verify and, through the server, to answer ``eligible``.
- providers: four accounts of the offer's provider, each with an API key
  (:func:`~rongxin.accounts.services.api_key_create`). The server runs with
  ``RONGXIN_INCENTIVE_RATE=1000000/m``: the per-account rate limit (3,000 credentials a minute
  by default) is still counted (a cache write per request) but never refuses.

Each figure with its baseline measured in the same run:

- ``offline_verify_per_s``: :func:`rongxin.incentives.domain.signing.verify_token` over every distinct
  token in this one process, with the public keys read from the published key document as an
  offline verifier does. Counted per CPU second of the process (``time.process_time``), so the
  figure is per core even on a busy machine. Baseline: a bare Ed25519 ``verify`` (the
  ``cryptography`` package) of the same signed bytes and signatures, decoded beforehand.
  Interleaved in chunks of 1,000 so both see the same machine.
- ``online_batch_p95_ms`` (and ``p50_ms``): ``POST /api/v1/incentives/verify`` with 1,000
  tokens, 40 times in a row on one keep-alive connection to the server. Baseline
  (``baseline_kind``): the bare Ed25519 verification of the same 1,000 tokens in one process.
  Also reported: :func:`~rongxin.incentives.services.verification.credentials_check` for the same batches
  without HTTP (``service_p50_ms``, ``service_p95_ms``, ``service_cpu_p50_ms``) and the
  server's CPU per batch.
- ``export_seconds``: :func:`rongxin.incentives.services.status.export_build` of ``credit-supermarket``
  over every subject (grouped read of the grades, one HMAC pseudonym per eligible holder,
  sort, sign, store), median of three (and its CPU time). Baseline: the same bare ``SELECT``
  of the eligible ids.
- ``verify_requests_per_s`` (with ``p50_ms``, ``p95_ms``, ``error_rate``): the documented
  production server (gunicorn, ``--workers`` = the cores, ``--threads 4`` as in the Procfile,
  ``RONGXIN_ENV=production``) on a free port against the scratch database; 32 client threads,
  one keep-alive connection each, send ``10,000 × scale`` (at least 1,000)
  ``POST /api/v1/incentives/verify`` with ONE token each, the four providers' keys in turn.
  Baseline: the same number of requests at the same concurrency for a static file (WhiteNoise)
  from the same server. Also reported, not a goal: ``GET /api/v1/accounts/me`` with the same
  keys (the API stack with key authentication; the key's ``last_used_at`` is its only
  write). The server's CPU per request (gunicorn master and workers from ``/proc``; not the
  database server's) is reported beside each: on a busy machine it says what a core would do
  where the rate cannot.

The server and client helpers are :mod:`rongxin.bench.server`.

Ratios: rates are value ÷ baseline (share of the raw rate); times are value ÷ baseline (how many
times the raw operation).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rongxin.bench.cards import cards_in_bulk
from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, p95, result, scratch_run, server_version
from rongxin.bench.server import (
    CONCURRENCY,
    ME_PATH,
    STATIC_PATH,
    THREADS,
    Request,
    fire,
    free_port,
    start_server,
    stop_server,
    with_server_cpu,
)

if TYPE_CHECKING:
    from rongxin.accounts.models import User

OFFER = "credit-supermarket"
PROVIDER_ACCOUNTS = 4
BATCH = 1000
BATCHES = 40
EXPORT_RUNS = 3
VERIFY_PATH = "/api/v1/incentives/verify"
RATE = "1000000/m"


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
    engine, child = scratch_run(
        "incentives",
        scale=scale,
        seed=seed,
        engine_url=engine_url,
        workers=workers,
        static=True,
        env={"RONGXIN_INCENTIVE_RATE": RATE},  # the child and the server it starts
    )
    body = {k: child[k] for k in ("metrics", "load", "credentials", "export", "server")}
    out = result(
        "incentives", scale=scale, engine=engine, body=body, server_version=child["server_version"], whole=whole
    )
    return emit_result(out, json_path=json_path, stdout=stdout)


# --- Child: runs with Django aimed at the scratch database ----------------------------------
def _load(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    from rongxin.credit.services.catalogue import catalogue_load_starters
    from rongxin.incentives.services.offers import incentives_load_starters
    from rongxin.synth.generator import generate_county
    from rongxin.synth.history import generate_history

    print("bench incentives: loading the county and its credit history…", file=sys.stderr)
    county = generate_county(scale=scale, seed=seed, progress=False, workers=workers)
    catalogue_load_starters()
    history = generate_history(seed=seed, progress=False, workers=workers)
    offers = incentives_load_starters()
    return {
        "subjects": county.counts["subjects"],
        "county_seconds": round(county.seconds, 1),
        "history_entries": history.entries,
        "history_seconds": round(history.seconds, 1),
        "offers": offers,
    }


def _eligible_ids() -> list[int]:
    """The persons eligible for the offer now, as the export selects them."""
    from rongxin.credit.models import SubjectCredit
    from rongxin.incentives.domain.eligibility import GRADES, grade_allows
    from rongxin.incentives.models import Incentive

    incentive = Incentive.objects.get(code=OFFER)
    grades = [g for g in GRADES if grade_allows(g, incentive.min_grade)]
    return list(
        SubjectCredit.objects.filter(grade__in=grades, subject__kind="person")
        .order_by("subject_id")
        .values_list("subject_id", flat=True)
    )


def _provider_keys() -> list[str]:
    """Accounts of the offer's provider, each with an API key."""
    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.services import GrantSpec, api_key_create, user_create
    from rongxin.incentives.models import Incentive
    from rongxin.incentives.services.providers import provider_account_add
    from rongxin.regions.models import Region

    county = Region.objects.get(level="county")
    office = user_create(
        actor=None, username="bench_office", display_name="bench", password=secrets.token_urlsafe(16),
        grants=[GrantSpec(role=Role.COUNTY_CREDIT_OFFICE, region=county)],
    )  # fmt: skip
    provider_id = Incentive.objects.get(code=OFFER).provider_id
    keys = []
    for n in range(PROVIDER_ACCOUNTS):
        user = user_create(
            actor=None, username=f"bench_provider_{n + 1}", display_name="bench", password=secrets.token_urlsafe(16),
            grants=[GrantSpec(role=Role.INCENTIVE_PROVIDER, region=county)],
        )  # fmt: skip
        provider_account_add(actor=office, provider_id=provider_id, user=user)
        _, key = api_key_create(actor=None, user=user, name="bench")
        keys.append(key)
    return keys


def _issue(subject_ids: list[int]) -> list[str]:
    """Printed-card credentials for ``subject_ids``: the first through ``credential_issue`` (an
    account linked to the person), the rest in bulk with the same signing functions."""

    from rongxin.accounts.models import User
    from rongxin.core import clock
    from rongxin.incentives.models import Credential, Incentive
    from rongxin.incentives.services.credentials import credential_issue
    from rongxin.subjects.models import SubjectAccount

    incentive = Incentive.objects.get(code=OFFER)
    holder_user = User.objects.create(username="bench_holder", display_name="bench")
    SubjectAccount.objects.create(
        user=holder_user, subject_id=subject_ids[0], relation=SubjectAccount.Relation.SELF, created_at=clock.now()
    )
    tokens = [credential_issue(actor=holder_user, incentive_id=incentive.pk, kind=Credential.Kind.CARD).token]
    tokens += cards_in_bulk(incentive, subject_ids[1:])
    return tokens


def _bare(tokens: list[str]) -> list[tuple[bytes, bytes]]:
    """(signed bytes, signature) of each token, decoded beforehand for the bare baseline."""
    from rongxin.incentives.domain.signing import unb64u

    out = []
    for t in tokens:
        signed, signature = t.rsplit(".", 1)
        out.append((signed.encode(), unb64u(signature)))
    return out


def _bench_offline(tokens: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    from rongxin.core import clock
    from rongxin.incentives.domain import signing
    from rongxin.incentives.services.keys import keys_document

    keys = signing.public_keys_from_document(keys_document())  # as an offline verifier loads them
    (public,) = keys.values()
    bare = _bare(tokens)
    now = clock.now()
    print(f"bench incentives: offline verification of {len(tokens)} tokens…", file=sys.stderr)
    cpu = {"verify": 0.0, "bare": 0.0}
    wall = {"verify": 0.0, "bare": 0.0}
    statuses: dict[str, int] = {}
    for i in range(0, len(tokens), BATCH):
        chunk, bare_chunk = tokens[i : i + BATCH], bare[i : i + BATCH]
        with Stopwatch() as verify:
            results = [signing.verify_token(t, keys, now=now) for t in chunk]
        with Stopwatch() as raw:
            for message, signature in bare_chunk:
                public.verify(signature, message)
        cpu["verify"] += verify.cpu
        wall["verify"] += verify.wall
        cpu["bare"] += raw.cpu
        wall["bare"] += raw.wall
        for r in results:
            statuses[r.status] = statuses.get(r.status, 0) + 1
    if statuses != {"ok": len(tokens)}:
        raise RuntimeError(f"offline verification: {statuses}")
    n = len(tokens)
    figure = metric(n / cpu["verify"], "verifications/s per core", n / cpu["bare"]) | {
        "wall_per_s": round(n / wall["verify"]),
        "baseline_wall_per_s": round(n / wall["bare"]),
        "tokens": n,
    }
    return figure, {"statuses": statuses}


def _batches(tokens: list[str]) -> list[list[str]]:
    """``BATCHES`` batches of ``BATCH`` tokens, distinct within a batch, in turn through the
    tokens (distinct across batches when there are enough)."""
    return [[tokens[(b * BATCH + k) % len(tokens)] for k in range(BATCH)] for b in range(BATCHES)]


def _bench_service(batches: list[list[str]], provider_user: User) -> dict[str, list[float]]:
    """``credentials_check`` without HTTP (wall and CPU of this process, which excludes the
    database server's) and the bare verification, for the same batches; milliseconds."""
    from rongxin.incentives.selectors import public_keys
    from rongxin.incentives.services.verification import credentials_check

    (public,) = public_keys().values()
    service: list[float] = []
    cpu: list[float] = []
    bare: list[float] = []
    for batch in batches:
        pairs = _bare(batch)
        with Stopwatch() as raw:
            for message, signature in pairs:
                public.verify(signature, message)
        bare.append(raw.wall * 1000)
        with Stopwatch() as checked:
            answers = credentials_check(actor=provider_user, tokens=batch)
        service.append(checked.wall * 1000)
        cpu.append(checked.cpu * 1000)
        if any(a.reason != "eligible" for a in answers):
            raise RuntimeError(f"service check: {sorted({a.reason for a in answers})}")
    return {"service": service, "cpu": cpu, "bare": bare}


def _post_batches(port: int, key: str, batches: list[list[str]]) -> list[float]:
    """Each batch as one ``POST /verify`` on one keep-alive connection; latency in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    samples = []
    try:
        for batch in batches:
            body = json.dumps({"tokens": batch}).encode()
            t = time.perf_counter()
            conn.request("POST", VERIFY_PATH, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            samples.append((time.perf_counter() - t) * 1000)
            if response.status != 200:
                raise RuntimeError(f"batch verify: {response.status} {data[:300]!r}")
            results = json.loads(data)["results"]
            if len(results) != len(batch) or any(r["reason"] != "eligible" for r in results):
                raise RuntimeError(f"batch verify: {sorted({r['reason'] for r in results})}")
    finally:
        conn.close()
    return samples


def _bench_export() -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from rongxin.credit.models import SubjectCredit
    from rongxin.incentives.domain import signing
    from rongxin.incentives.domain.eligibility import GRADES, grade_allows
    from rongxin.incentives.models import Incentive
    from rongxin.incentives.selectors import public_keys
    from rongxin.incentives.services.status import export_build
    from rongxin.subjects.models import Subject

    incentive = Incentive.objects.get(code=OFFER)
    grades = [g for g in GRADES if grade_allows(g, incentive.min_grade)]
    qn = connection.ops.quote_name
    sql = (
        f"SELECT c.subject_id FROM {qn(SubjectCredit._meta.db_table)} c "  # noqa: S608 - table names, not input
        f"JOIN {qn(Subject._meta.db_table)} s ON s.id = c.subject_id "
        f"WHERE c.grade IN ({', '.join(['%s'] * len(grades))}) AND s.kind IN (%s)"
    )
    print("bench incentives: eligibility export…", file=sys.stderr)
    seconds, cpu, base = [], [], []
    rows = 0
    for _ in range(EXPORT_RUNS):
        with Stopwatch() as raw, connection.cursor() as cur:
            cur.execute(sql, [*grades, Subject.Kind.PERSON])
            rows = len(cur.fetchall())
        base.append(raw.wall)
        with Stopwatch() as built:
            export = export_build(incentive_id=incentive.pk)
        seconds.append(built.wall)
        cpu.append(built.cpu)
    content = bytes(export.content)
    public = public_keys()[export.kid]
    public.verify(
        signing.unb64u(export.signature),
        signing.export_message(incentive=incentive.code, generated_at=export.generated_at, content=content),
    )  # raises if the export does not verify
    if export.holders != rows or len(content) != rows * signing.HOLDER_BYTES:
        raise RuntimeError(f"export holds {export.holders} holders, the bare select {rows}")
    figure = metric(statistics.median(seconds), "s", statistics.median(base)) | {
        "runs": [round(s, 3) for s in seconds],
        # CPU of this process (on SQLite the select's too; on PostgreSQL not the server's).
        "cpu_seconds": round(statistics.median(cpu), 3),
        "holders": rows,
    }
    return figure, {"offer": OFFER, "min_grade": incentive.min_grade, "holders": rows, "bytes": len(content)}


def _bench_server(
    keys: list[str], tokens: list[str], batches: list[list[str]], requests: int, data_dir: Path
) -> tuple[list[float], dict[str, Any], dict[str, Any]]:
    """Start gunicorn; time the 1,000-token batches, then the single-token requests. Also
    measure the server's CPU per request, a figure that holds on a busy machine."""
    workers = max(2, os.cpu_count() or 2)
    port = free_port()
    server = start_server(port, workers, data_dir / "gunicorn.log")
    try:

        def verify(key: str, token: str) -> Request:
            body = json.dumps({"tokens": [token]}).encode()
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            return lambda: ("POST", VERIFY_PATH, body, headers)

        def get(path: str, key: str | None = None) -> Request:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            return lambda: ("GET", path, None, headers)

        slots = workers * THREADS
        # Warm every worker (imports, connections, the key cache) before measuring.
        fire(port, [get(STATIC_PATH)] * (slots * 4), concurrency=slots)
        fire(port, [verify(keys[k % len(keys)], tokens[k]) for k in range(slots * 2)], concurrency=slots)
        print(f"bench incentives: {len(batches)} batches of {BATCH} through the server…", file=sys.stderr)
        batch_ms, batch_cpu = with_server_cpu(server, lambda: _post_batches(port, keys[0], batches))
        print(f"bench incentives: {requests} single verifications through the server…", file=sys.stderr)
        static, static_cpu = with_server_cpu(server, lambda: fire(port, [get(STATIC_PATH)] * requests))
        me, me_cpu = with_server_cpu(
            server, lambda: fire(port, [get(ME_PATH, keys[k % len(keys)]) for k in range(requests)])
        )
        single, single_cpu = with_server_cpu(
            server,
            lambda: fire(port, [verify(keys[k % len(keys)], tokens[k % len(tokens)]) for k in range(requests)]),
        )
    finally:
        stop_server(server)
    info = {
        "server": f"gunicorn --workers {workers} --threads {THREADS} (RONGXIN_ENV=production)",
        "rate_limit": f"RONGXIN_INCENTIVE_RATE={RATE}",
        "concurrency": CONCURRENCY,
        "provider_accounts": len(keys),
        "single_verify": single,
        "baseline_static": static,
        "api_me": me,
        # Server CPU (gunicorn master and workers, not the database) per request or batch.
        "cpu_ms": {
            "per_batch": _per(batch_cpu, len(batches)),
            "per_single_verify": _per(single_cpu, requests),
            "per_static": _per(static_cpu, requests),
            "per_api_me": _per(me_cpu, requests),
        },
    }
    return batch_ms, single, info


def _per(total_ms: float | None, n: int) -> float | None:
    return None if total_ms is None else round(total_ms / n, 3)


def _child(scale: float, seed: int, workers: int | None, data_dir: Path) -> dict[str, Any]:
    from rongxin.accounts.models import User
    from rongxin.incentives.models import Check, Credential

    rng = random.Random(seed)  # noqa: S311 - benchmark sampling
    load = _load(scale, seed, workers)
    eligible = _eligible_ids()
    n = min(len(eligible), max(2000, round(40_000 * scale)))
    if n < BATCH:
        raise RuntimeError(f"only {len(eligible)} persons are eligible for {OFFER}")
    chosen = rng.sample(eligible, n)
    keys = _provider_keys()
    print(f"bench incentives: {n} card credentials…", file=sys.stderr)
    with Stopwatch() as issue:
        tokens = _issue(chosen)
    rng.shuffle(tokens)

    offline, _offline_info = _bench_offline(tokens)
    export_metric, export_info = _bench_export()

    batches = _batches(tokens)
    print("bench incentives: batches through the service without HTTP…", file=sys.stderr)
    in_process = _bench_service(batches, User.objects.get(username="bench_provider_2"))
    requests = max(1000, round(10_000 * scale))
    checks_before = Check.objects.filter(result=Check.Result.ELIGIBLE).count()
    batch_ms, single, server_info = _bench_server(keys, tokens, batches, requests, data_dir)
    eligible_checks = Check.objects.filter(result=Check.Result.ELIGIBLE).count() - checks_before
    slots = max(2, os.cpu_count() or 2) * THREADS
    expected = slots * 2 + len(batches) * BATCH + requests  # warm-up, batches, single requests
    if eligible_checks != expected:
        raise RuntimeError(f"{eligible_checks} eligible checks recorded, expected {expected}")

    online = metric(p95(batch_ms), "ms", p95(in_process["bare"])) | {
        "p50_ms": round(statistics.median(batch_ms), 2),
        "batches": len(batches),
        "batch": BATCH,
        "baseline_kind": "bare Ed25519 verify of the same 1,000 tokens in one process (p95 over the same batches)",
        "baseline_p50_ms": round(statistics.median(in_process["bare"]), 2),
        "service_p50_ms": round(statistics.median(in_process["service"]), 2),
        "service_p95_ms": round(p95(in_process["service"]), 2),
        "service_cpu_p50_ms": round(statistics.median(in_process["cpu"]), 2),
        "server_cpu_ms_per_batch": server_info["cpu_ms"]["per_batch"],
    }
    answered = sum(v for k, v in single["statuses"].items() if k == "200")
    single_metric = metric(single["per_s"] or 0.0, "requests/s", server_info["baseline_static"]["per_s"]) | {
        "p50_ms": single["p50_ms"],
        "p95_ms": single["p95_ms"],
        "error_rate": round(1 - answered / requests, 4),
        "requests": requests,
        "baseline_p95_ms": server_info["baseline_static"]["p95_ms"],
        "server_cpu_ms_per_request": server_info["cpu_ms"]["per_single_verify"],
        "baseline_server_cpu_ms_per_request": server_info["cpu_ms"]["per_static"],
    }
    return {
        "metrics": {
            "offline_verify_per_s": offline,
            "online_batch_p95_ms": online,
            "export_seconds": export_metric,
            "verify_requests_per_s": single_metric,
        },
        "load": load,
        "credentials": {
            "offer": OFFER,
            "eligible_persons": len(eligible),
            "issued": len(tokens),
            "issued_by_service": 1,
            "issue_seconds": round(issue.wall, 2),
            "rows": Credential.objects.count(),
            "eligible_checks_through_server": eligible_checks,
        },
        "export": export_info,
        "server": server_info,
        "server_version": server_version(),
    }


def main() -> None:
    child_main(
        lambda a: _child(a.scale, a.seed, a.workers, Path(a.out).parent),
        description="the child of `rongxin bench incentives` (internal)",
    )


if __name__ == "__main__":
    main()
