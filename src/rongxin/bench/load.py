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
- ``mixed``: the four together, each request drawn by :data:`MIX`.
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

import argparse
import contextlib
import datetime as dt
import http.client
import json
import multiprocessing
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit, urlunsplit

from rongxin.bench.generate import _child_env, _is_postgres, _run, _server_version, emit_result
from rongxin.bench.volunteering import STATIC_PATH, THREADS, _free_port, _start_server

DATA_SEED = 2026
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"
DEFAULT_LEVELS = (8, 32, 64)
SCENARIOS = ("verify", "checkin", "explanation", "search")
MIX = {"verify": 40, "checkin": 30, "explanation": 15, "search": 15}
STEPS = (*SCENARIOS, "mixed", "static")
CLIENT_PROCESSES = 4
OFFICES = 4
SESSIONS = 8
PROVIDERS = 8
PER_ACTIVITY = 20
OFFER = "credit-supermarket"
RATE = "1000000/m"
VERIFY_PATH = "/api/v1/incentives/verify"
SCAN_PATH = "/api/v1/volunteering/scan"
STEP_SECONDS = 30  # rongxin.volunteering.domain.tokens.STEP_SECONDS (checked in the child)
ERRORS_KEPT = 5


# --- Parent ----------------------------------------------------------------------------------
def database_url(engine_url: str | None, scale: float) -> str:
    """The load database: the URL's own database, or ``rongxin_load[_<scale>]`` on its server."""
    url = engine_url or DEFAULT_SERVER
    if not _is_postgres(url):
        raise RuntimeError("the load test runs on PostgreSQL: pass --engine-url postgresql://...")
    parts = urlsplit(url)
    if parts.path.strip("/") in ("", "postgres"):
        name = "rongxin_load" if scale == 1.0 else "rongxin_load_" + f"{scale:g}".replace(".", "_")
        parts = parts._replace(path=f"/{name}")
    return urlunsplit(parts)


def _db_name(url: str) -> str:
    return urlsplit(url).path.strip("/")


def _admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def levels_from(text: str | None) -> list[int]:
    levels = [int(x) for x in (text or "").replace(" ", "").split(",") if x]
    if any(n < 1 for n in levels):
        raise ValueError("concurrency levels must be positive")
    return levels or list(DEFAULT_LEVELS)


def _ensure_database(url: str, scale: float, workers: int | None, data_dir: Path, rebuild: bool) -> dict[str, Any]:
    """Build the load database unless it exists; a failed build is dropped (so the next run
    builds it again) rather than left half loaded."""
    import psycopg

    name = _db_name(url)
    with psycopg.connect(_admin_url(url), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and not rebuild:
            return {"built": False}
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = _child_env(url, data_dir)
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
            t = time.perf_counter()
            _run(["-m", "rongxin.cli", *args], env)
            seconds[step] = round(time.perf_counter() - t, 1)
        # Statistics and visibility maps as autovacuum leaves a live database, not as a bulk
        # load leaves it, so that the first run measures the same plans as the next.
        print(f"bench load: VACUUM (ANALYZE) {name}…", file=sys.stderr)
        t = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("VACUUM (ANALYZE)")
        seconds["vacuum_analyze"] = round(time.perf_counter() - t, 1)
    except BaseException:
        with psycopg.connect(_admin_url(url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise
    commands = [f"rongxin {' '.join(a)}" for a in steps.values()] + ["VACUUM (ANALYZE)"]
    return {"built": True, "seconds": seconds, "commands": commands}


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

    started = time.perf_counter()
    url = database_url(engine_url, scale)
    if duration is None:
        duration = float(os.environ.get("RONGXIN_LOAD_DURATION") or (60 if scale >= 1.0 else 10))
    levels = levels or levels_from(os.environ.get("RONGXIN_LOAD_CONCURRENCY"))
    if rebuild is None:
        rebuild = os.environ.get("RONGXIN_LOAD_REBUILD", "") == "1"
    data_dir = Path(settings.DATA_DIR) / "load" / _db_name(url)
    data_dir.mkdir(parents=True, exist_ok=True)
    build = _ensure_database(url, scale, workers, data_dir, rebuild)
    env = _child_env(url, data_dir)
    env["RONGXIN_INCENTIVE_RATE"] = RATE  # the child and the server it starts
    _run(["-m", "rongxin.cli", "collectstatic", "--noinput", "-v", "0"], env)
    out = data_dir / "load.json"
    out.unlink(missing_ok=True)
    args = ["-m", "rongxin.bench.load", "--scale", str(scale), "--seed", str(seed), "--out", str(out)]
    args += ["--duration", str(duration), "--levels", ",".join(map(str, levels)), "--steps", ",".join(steps)]
    _run(args, env)
    child = json.loads(out.read_text())
    result = {
        "name": "load",
        "scale": scale,
        "engine": "postgresql",
        "database": _db_name(url),
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
        "server_version": child["server_version"],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    return emit_result(result, json_path=json_path, stdout=stdout)


# --- Child: the database's facts and the run's accounts ---------------------------------------
def _data_facts(scale: float) -> dict[str, Any]:
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


def _user(username: str, grants: list[Any]) -> Any:
    from rongxin.accounts.models import User
    from rongxin.accounts.services import user_create

    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=None, username=username, display_name="负载测试", password=secrets.token_urlsafe(16), grants=grants
        )
    return user


def _office_sessions() -> tuple[Any, list[str]]:
    """County credit office accounts and signed-in sessions (cookie values) for the pages."""
    from django.test import Client

    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.services import GrantSpec
    from rongxin.regions.models import Region

    county = Region.objects.get(level="county")
    offices = [
        _user(f"load_office_{k + 1}", [GrantSpec(role=Role.COUNTY_CREDIT_OFFICE, region=county)])
        for k in range(OFFICES)
    ]
    cookies = []
    for n in range(SESSIONS):
        client = Client()
        client.force_login(offices[n % OFFICES])
        cookies.append(client.cookies["sessionid"].value)
    return offices[0], cookies


def _provider_keys(office: Any) -> list[str]:
    """Accounts of the offer's provider, each with a new API key (the old ones deleted)."""
    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.models import ApiKey
    from rongxin.accounts.services import GrantSpec, api_key_create
    from rongxin.incentives.models import Incentive, ProviderAccount
    from rongxin.incentives.services.providers import provider_account_add
    from rongxin.regions.models import Region

    county = Region.objects.get(level="county")
    provider_id = Incentive.objects.get(code=OFFER).provider_id
    keys = []
    for k in range(PROVIDERS):
        user = _user(f"load_provider_{k + 1}", [GrantSpec(role=Role.INCENTIVE_PROVIDER, region=county)])
        if not ProviderAccount.objects.filter(user=user).exists():
            provider_account_add(actor=office, provider_id=provider_id, user=user)
        ApiKey.objects.filter(user=user).delete()
        keys.append(api_key_create(actor=None, user=user, name="load")[1])
    return keys


def _card_tokens(n: int, rng: random.Random) -> tuple[list[str], int]:
    """Printed-card credentials for ``n`` persons eligible for the offer now, issued in bulk with
    the service's signing functions (same key, pseudonymous holder ids, claims and rows)."""
    from rongxin.bench.incentives import cards_in_bulk
    from rongxin.credit.models import SubjectCredit
    from rongxin.incentives.domain.eligibility import GRADES, grade_allows
    from rongxin.incentives.models import Incentive

    incentive = Incentive.objects.get(code=OFFER)
    grades = [g for g in GRADES if grade_allows(g, incentive.min_grade)]
    eligible = list(
        SubjectCredit.objects.filter(grade__in=grades, subject__kind="person").values_list("subject_id", flat=True)
    )
    if not eligible:
        raise RuntimeError(f"nobody is eligible for {OFFER}")
    chosen = rng.sample(eligible, min(n, len(eligible)))
    tokens = cards_in_bulk(incentive, chosen)
    return tokens, len(eligible)


def _volunteers(n: int, tag: str) -> tuple[list[tuple[str, int, bytes]], list[int]]:
    """``n`` volunteers with accounts (``load_volunteer_<id>``, made once) and new API keys,
    confirmed for new activities running now. Returns (key, activity id, QR secret) per
    volunteer and the activity ids."""
    from django.db import transaction

    from rongxin.accounts.domain.credentials import api_key_hash, new_api_key
    from rongxin.accounts.models import ApiKey, User
    from rongxin.core import clock
    from rongxin.subjects.models import SubjectAccount
    from rongxin.volunteering.models import Activity, ActivityType, Signup, Team, Volunteer

    now = clock.now()
    with transaction.atomic():
        linked = dict(
            SubjectAccount.objects.filter(user__username__startswith="load_volunteer_")
            .order_by("subject_id")
            .values_list("subject_id", "user_id")
        )
        active = set(
            Volunteer.objects.filter(pk__in=list(linked), status=Volunteer.Status.ACTIVE).values_list("pk", flat=True)
        )
        people = [(sid, uid) for sid, uid in linked.items() if sid in active][:n]
        if len(people) < n:
            fresh = list(
                Volunteer.objects.filter(status=Volunteer.Status.ACTIVE, subject__account_links__isnull=True)
                .order_by("subject_id")
                .values_list("subject_id", flat=True)[: n - len(people)]
            )
            users = User.objects.bulk_create(
                [User(username=f"load_volunteer_{sid}", display_name="负载测试志愿者") for sid in fresh]
            )
            SubjectAccount.objects.bulk_create(
                [
                    SubjectAccount(user=u, subject_id=sid, relation=SubjectAccount.Relation.SELF, created_at=now)
                    for u, sid in zip(users, fresh, strict=True)
                ]
            )
            people += [(sid, u.pk) for sid, u in zip(fresh, users, strict=True)]
        user_ids = [uid for _sid, uid in people]
        ApiKey.objects.filter(user_id__in=user_ids).delete()
        keys = [new_api_key() for _ in people]
        ApiKey.objects.bulk_create(
            [
                ApiKey(user_id=uid, name="load", prefix=k[:8], key_hash=api_key_hash(k))
                for uid, k in zip(user_ids, keys, strict=True)
            ],
            batch_size=1000,
        )
        team = Team.objects.filter(tier=Team.Tier.TOWN_VILLAGE).select_related("region").order_by("id").first()
        if team is None:
            raise RuntimeError("the load database has no town or village team")
        kind = ActivityType.objects.get(code="community_service")
        count = -(-len(people) // PER_ACTIVITY)
        activities = Activity.objects.bulk_create(
            [
                Activity(
                    team=team, type=kind, title=f"负载测试签到活动 {tag} {k + 1}", region=team.region,
                    place="负载测试场地",
                    starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=4),
                    capacity=PER_ACTIVITY, signup_opens_at=now - dt.timedelta(days=2),
                    signup_closes_at=now - dt.timedelta(minutes=10), status=Activity.Status.PUBLISHED,
                    confirmed_count=min(PER_ACTIVITY, len(people) - k * PER_ACTIVITY),
                    qr_secret=secrets.token_bytes(32),
                    created_at=now - dt.timedelta(days=3), published_at=now - dt.timedelta(days=2),
                )
                for k in range(count)
            ]
        )  # fmt: skip
        day_before = now - dt.timedelta(days=1)
        Signup.objects.bulk_create(
            [
                Signup(
                    activity=activities[i // PER_ACTIVITY], volunteer_id=sid, status=Signup.Status.CONFIRMED,
                    created_at=day_before, changed_at=day_before,
                )
                for i, (sid, _uid) in enumerate(people)
            ],
            batch_size=1000,
        )  # fmt: skip
    out = [
        (keys[i], activities[i // PER_ACTIVITY].pk, bytes(activities[i // PER_ACTIVITY].qr_secret))
        for i in range(len(people))
    ]
    return out, [a.pk for a in activities]


def _explained_subjects(n: int, rng: random.Random) -> tuple[list[int], float]:
    """Subjects with credit entries (their explanation lists them), and their mean entry count."""
    from rongxin.credit.models import SubjectCredit

    rows = list(SubjectCredit.objects.filter(chain_seq__gt=0).values_list("subject_id", "chain_seq"))
    chosen = rng.sample(rows, min(n, len(rows)))
    return [sid for sid, _ in chosen], round(statistics.mean(seq for _, seq in chosen), 1) if chosen else 0.0


def _search_queries(n: int, rng: random.Random) -> tuple[list[str], dict[str, int]]:
    """Queries as staff type them: a full name (40 %), a two-character name prefix (20 %), an ID
    number (30 %) or a USCC (10 %), of subjects sampled from the county."""
    from rongxin.core import pii
    from rongxin.subjects.models import Organisation, Person

    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = rng.sample(range(1, top + 1), min(top, n * 2))
    persons = list(
        Person.objects.filter(pk__in=ids).select_related("subject").values_list("subject__name", "id_number_encrypted")
    )[:n]
    orgs = list(Organisation.objects.values_list("uscc", flat=True)[: n * 4])
    mix = {"name": 40, "prefix": 20, "id_number": 30, "uscc": 10}
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=n)
    queries = []
    for k, kind in enumerate(kinds):
        name, encrypted = persons[k % len(persons)]
        if kind == "name":
            queries.append(name)
        elif kind == "prefix":
            queries.append(name[:2])
        elif kind == "id_number":
            queries.append(pii.decrypt(encrypted))
        else:
            queries.append(rng.choice(orgs))
    return queries, dict(Counter(kinds))


@dataclass
class Fixtures:
    provider_keys: list[str]
    tokens: list[str]
    volunteers: list[tuple[str, int, bytes]]
    sessions: list[str]
    subjects: list[int]
    queries: list[str]


def _prepare(scale: float, rng: random.Random, tag: str) -> tuple[Fixtures, dict[str, Any], list[int]]:
    t = time.perf_counter()
    office, sessions = _office_sessions()
    keys = _provider_keys(office)
    tokens, eligible = _card_tokens(max(2000, round(20_000 * scale)), rng)
    volunteers, activity_ids = _volunteers(max(300, round(6000 * scale)), tag)
    subjects, mean_entries = _explained_subjects(5000, rng)
    queries, query_kinds = _search_queries(5000, rng)
    fixtures = Fixtures(keys, tokens, volunteers, sessions, subjects, queries)
    info = {
        "office_sessions": len(sessions),
        "provider_accounts": len(keys),
        "offer": OFFER,
        "eligible_persons": eligible,
        "card_credentials": len(tokens),
        "volunteers": len(volunteers),
        "activities": len(activity_ids),
        "explained_subjects": len(subjects),
        "explained_mean_entries": mean_entries,
        "search_queries": query_kinds,
        "seconds": round(time.perf_counter() - t, 1),
    }
    return fixtures, info, activity_ids


# --- Clients ---------------------------------------------------------------------------------
class CheckinPool:
    """This process's volunteers, each taken by one client at a time. A volunteer alternates
    check-in and check-out and never scans one code twice for one action: one whose next
    scan would reuse the current code is passed over until the code changes."""

    def __init__(self, volunteers: list[tuple[str, int, bytes]]):
        # [key, activity id, secret, next kind, last step of a check-in, last step of a check-out]
        self._ready: deque[list[Any]] = deque([[k, a, s, "in", -1, -1] for k, a, s in volunteers])
        self._lock = threading.Lock()

    def take(self, now: float) -> tuple[list[Any], int] | None:
        step = int(now) // STEP_SECONDS
        with self._lock:
            for _ in range(len(self._ready)):
                v = self._ready.popleft()
                if (v[4] if v[3] == "in" else v[5]) != step:
                    return v, step
                self._ready.append(v)
        return None

    def give_back(self, v: list[Any], step: int, status: int, body: bytes) -> None:
        if status == 201 or b"replayed_code" in body:
            if v[3] == "in":
                v[3], v[4] = "out", step
            else:
                v[3], v[5] = "in", step
        elif b"already_checked_in" in body:
            v[3] = "out"
        elif b"not_checked_in" in body:
            v[3] = "in"
        with self._lock:
            self._ready.append(v)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    answered: int = 0
    failed: int = 0
    wait_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "latencies": self.latencies,
            "statuses": dict(self.statuses),
            "errors": self.errors,
            "answered": self.answered,
            "failed": self.failed,
            "wait_s": self.wait_s,
        }


Prepared = tuple[str, str, bytes | None, dict[str, str], Callable[[int, bytes], bool]]


class LoadClient:
    """One client process: its share of the volunteers, and the request of each scenario."""

    def __init__(self, fixtures: Fixtures, port: int, index: int, count: int, seed: int):
        self.f = fixtures
        self.port = port
        self.index = index
        self.pool = CheckinPool(fixtures.volunteers[index::count])
        self.seed = seed

    def request(self, scenario: str, rng: random.Random, slot: int) -> Prepared | None:
        f = self.f
        if scenario == "verify":
            body = json.dumps({"tokens": [rng.choice(f.tokens)]}).encode()
            key = f.provider_keys[slot % len(f.provider_keys)]
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            return "POST", VERIFY_PATH, body, headers, _eligible
        if scenario == "checkin":
            taken = self.pool.take(time.time())
            if taken is None:
                return None
            v, step = taken
            token = _scan_token(v[2], v[1], step)
            body = json.dumps({"token": token, "kind": v[3]}).encode()
            headers = {"Authorization": f"Bearer {v[0]}", "Content-Type": "application/json"}

            def done(status: int, data: bytes) -> bool:
                self.pool.give_back(v, step, status, data)
                return status == 201

            return "POST", SCAN_PATH, body, headers, done
        cookie = {"Cookie": f"sessionid={f.sessions[slot % len(f.sessions)]}"}
        if scenario == "explanation":
            return "GET", f"/subjects/{rng.choice(f.subjects)}/?purpose=service", None, cookie, _ok200
        if scenario == "search":
            path = f"/subjects/?q={quote(rng.choice(f.queries))}&purpose=service"
            return "GET", path, None, cookie | {"HX-Request": "true"}, _ok200
        if scenario == "static":
            return "GET", STATIC_PATH, None, {}, _ok200
        raise ValueError(scenario)

    def drive(self, weights: dict[str, int], threads: int, first_slot: int, start: float, deadline: float) -> dict:
        tallies: dict[str, Tally] = {s: Tally() for s in weights}
        lock = threading.Lock()
        ends: list[float] = []

        def worker(slot: int) -> None:
            rng = random.Random(f"{self.seed}-{slot}-{start}")  # noqa: S311 - load sampling
            names, w = list(weights), list(weights.values())
            mine = {s: Tally() for s in weights}
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            while time.monotonic() < start:
                time.sleep(0.001)
            last = time.monotonic()
            while time.monotonic() < deadline:
                scenario = names[0] if len(names) == 1 else rng.choices(names, weights=w)[0]
                tally = mine[scenario]
                prepared = self.request(scenario, rng, slot)
                if prepared is None:  # no volunteer free until the code changes
                    t = time.monotonic()
                    time.sleep(0.05)
                    tally.wait_s += time.monotonic() - t
                    continue
                method, path, body, headers, check = prepared
                t = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    tally.failed += 1
                    tally.statuses["connection"] += 1
                    if len(tally.errors) < ERRORS_KEPT:
                        tally.errors.append(repr(exc))
                    if scenario == "checkin":
                        check(0, b"")
                    continue
                ms = (time.perf_counter() - t) * 1000
                last = time.monotonic()
                tally.answered += 1
                tally.statuses[str(response.status)] += 1
                if check(response.status, data):
                    tally.latencies.append(ms)
                else:
                    tally.failed += 1
                    if len(tally.errors) < ERRORS_KEPT:
                        tally.errors.append(f"{response.status} {path[:60]} {data[:200]!r}")
            conn.close()
            with lock:
                ends.append(last)
                for s, m in mine.items():
                    total = tallies[s]
                    total.latencies.extend(m.latencies)
                    total.statuses.update(m.statuses)
                    total.errors.extend(m.errors[: ERRORS_KEPT - len(total.errors)])
                    total.answered += m.answered
                    total.failed += m.failed
                    total.wait_s += m.wait_s

        cpu = os.times()
        pool = [threading.Thread(target=worker, args=(first_slot + k,)) for k in range(threads)]
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        after = os.times()
        return {
            "tallies": {s: t.to_dict() for s, t in tallies.items()},
            "end": max(ends) if ends else deadline,
            "cpu_s": (after.user - cpu.user) + (after.system - cpu.system),
        }


def _eligible(status: int, data: bytes) -> bool:
    if status != 200:
        return False
    try:
        return json.loads(data)["results"][0]["eligible"] is True
    except (ValueError, KeyError, IndexError, TypeError):
        return False


def _ok200(status: int, data: bytes) -> bool:
    return status == 200


def _scan_token(secret: bytes, activity_id: int, step: int) -> str:
    from rongxin.volunteering.domain.tokens import token_for

    return token_for(secret=secret, activity_id=activity_id, at=dt.datetime.fromtimestamp(step * STEP_SECONDS, dt.UTC))


def _client_main(conn: Connection, fixtures: Fixtures, port: int, index: int, count: int, seed: int) -> None:
    client = LoadClient(fixtures, port, index, count, seed)
    while True:
        command = conn.recv()
        if command is None:
            break
        conn.send(client.drive(**command))
    conn.close()


# --- CPU accounting from /proc ---------------------------------------------------------------
def _proc_cpu(match: Callable[[int, int, str], bool]) -> dict[int, float]:
    """CPU seconds (user + system) so far of each process ``match(pid, ppid, cmdline)`` selects."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        if match(int(entry), int(fields[1]), cmdline):
            out[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _machine_cpu() -> dict[str, float]:
    """Busy and idle CPU seconds of the whole machine since boot."""
    tick = os.sysconf("SC_CLK_TCK")
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return {"busy": (sum(values[:8]) - idle) / tick, "idle": idle / tick}


class CpuMeter:
    """Where the machine's CPU went during a step: the server (gunicorn master and workers), the
    backends of the load database (matched by their process title), the clients, the rest."""

    def __init__(self, server_pid: int, database: str):
        self.server_pid = server_pid
        self.db_marker = f" {database} "

    def snapshot(self) -> dict[str, Any]:
        return {
            "server": _proc_cpu(lambda pid, ppid, _c: self.server_pid in (pid, ppid)),
            "database": _proc_cpu(lambda _p, _pp, cmd: cmd.startswith("postgres:") and self.db_marker in cmd),
            **_machine_cpu(),
        }

    @staticmethod
    def per_second(a: dict[str, Any], b: dict[str, Any], clients: float, seconds: float) -> dict[str, float]:
        """Cores used on average (a process that ended during the step is not counted)."""

        def used(key: str) -> float:
            return sum(cpu - a[key].get(pid, 0.0) for pid, cpu in b[key].items()) / seconds

        server, database, c = used("server"), used("database"), clients / seconds
        other = max(0.0, (b["busy"] - a["busy"]) / seconds - server - database - c)
        idle = (b["idle"] - a["idle"]) / seconds
        cores = {"server": server, "database": database, "clients": c, "other": other, "idle": idle}
        return {k: round(v, 2) for k, v in cores.items()}


# --- Steps -----------------------------------------------------------------------------------
def _summary(tally: dict[str, Any], seconds: float) -> dict[str, Any]:
    lat = tally["latencies"]
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0] if lat else 0.0] * 99
    requests = tally["answered"] + tally["statuses"].get("connection", 0)
    return {
        "requests": requests,
        "expected": len(lat),
        "per_s": round(tally["answered"] / seconds, 1) if seconds else None,
        "p50_ms": round(q[49], 1) if lat else None,
        "p95_ms": round(q[94], 1) if lat else None,
        "p99_ms": round(q[98], 1) if lat else None,
        "error_rate": round(tally["failed"] / requests, 4) if requests else None,
        "statuses": dict(sorted(tally["statuses"].items())),
        "errors": tally["errors"][:ERRORS_KEPT],
        "wait_s": round(tally["wait_s"], 1),
    }


def _merge(parts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for s, t in part["tallies"].items():
            m = merged.setdefault(
                s, {"latencies": [], "statuses": Counter(), "errors": [], "answered": 0, "failed": 0, "wait_s": 0.0}
            )
            m["latencies"].extend(t["latencies"])
            m["statuses"].update(t["statuses"])
            m["errors"].extend(t["errors"])
            m["answered"] += t["answered"]
            m["failed"] += t["failed"]
            m["wait_s"] += t["wait_s"]
    return merged


class Driver:
    """The client processes (forked once, so each keeps its volunteers' state between steps)."""

    def __init__(self, fixtures: Fixtures, port: int, seed: int, processes: int = CLIENT_PROCESSES):
        from django.db import connections

        connections.close_all()  # never share a database connection with a fork
        ctx = multiprocessing.get_context("fork")
        self.pipes: list[Connection] = []
        self.procs = []
        for i in range(processes):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=_client_main, args=(child, fixtures, port, i, processes, seed), daemon=True)
            p.start()
            child.close()
            self.pipes.append(parent)
            self.procs.append(p)

    def step(self, weights: dict[str, int], concurrency: int, duration: float) -> dict[str, Any]:
        start = time.monotonic() + 0.5
        deadline = start + duration
        slot = 0
        for i, pipe in enumerate(self.pipes):
            threads = concurrency // len(self.pipes) + (1 if i < concurrency % len(self.pipes) else 0)
            pipe.send(
                {"weights": weights, "threads": threads, "first_slot": slot, "start": start, "deadline": deadline}
            )
            slot += threads
        parts = [pipe.recv() for pipe in self.pipes]
        seconds = max(p["end"] for p in parts) - start
        merged = _merge(parts)
        out = {s: _summary(t, seconds) for s, t in merged.items()}
        total = {
            "latencies": [x for t in merged.values() for x in t["latencies"]],
            "statuses": sum((Counter(t["statuses"]) for t in merged.values()), Counter()),
            "errors": [e for t in merged.values() for e in t["errors"]],
            "answered": sum(t["answered"] for t in merged.values()),
            "failed": sum(t["failed"] for t in merged.values()),
            "wait_s": sum(t["wait_s"] for t in merged.values()),
        }
        return {
            "seconds": round(seconds, 2),
            "total": _summary(total, seconds),
            "by_scenario": out,
            "client_cpu_s": sum(p["cpu_s"] for p in parts),
        }

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()


def _weights(step: str) -> dict[str, int]:
    return dict(MIX) if step == "mixed" else {step: 1}


def _consistency(activity_ids: list[int], since: dt.datetime, ok: Counter[str]) -> dict[str, Any]:
    from rongxin.incentives.models import Check
    from rongxin.volunteering.models import Scan

    scans = Scan.objects.filter(activity_id__in=activity_ids, accepted=True).count()
    checks = Check.objects.filter(at__gte=since, result=Check.Result.ELIGIBLE).count()
    return {
        "scans_accepted": scans,
        "client_checkins_answered_201": ok["checkin"],
        "checks_eligible": checks,
        "client_verify_answered_eligible": ok["verify"],
        "consistent": scans == ok["checkin"] and checks == ok["verify"],
    }


def _child(
    scale: float, seed: int, duration: float, levels: list[int], steps: list[str], data_dir: Path
) -> dict[str, Any]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.volunteering.domain import tokens

    if tokens.STEP_SECONDS != STEP_SECONDS:
        raise RuntimeError("rongxin.volunteering.domain.tokens.STEP_SECONDS changed; update STEP_SECONDS here")
    started_at = clock.now()
    rng = random.Random(seed)  # noqa: S311 - load sampling
    data = _data_facts(scale)
    tag = started_at.strftime("%Y%m%d%H%M%S")
    print("bench load: preparing accounts, credentials and activities…", file=sys.stderr)
    fixtures, fixture_info, activity_ids = _prepare(scale, rng, tag)
    database = connection.settings_dict["NAME"]
    workers = max(2, os.cpu_count() or 2)
    port = _free_port()
    server = _start_server(port, workers, data_dir / "gunicorn.log")
    meter = CpuMeter(server.pid, database)
    results: list[dict[str, Any]] = []
    ok: Counter[str] = Counter()
    driver = Driver(fixtures, port, seed)
    try:
        warm = driver.step(dict(MIX) | {"static": 10}, max(levels), min(10.0, duration))
        for s, r in warm["by_scenario"].items():
            ok[s] += r["expected"]
        for step in steps:
            for level in levels:
                print(f"bench load: {step} with {level} clients for {duration:g} s…", file=sys.stderr)
                before = meter.snapshot()
                r = driver.step(_weights(step), level, duration)
                after = meter.snapshot()
                for s, sr in r["by_scenario"].items():
                    ok[s] += sr["expected"]
                window = r["seconds"] + 0.5  # the snapshot is taken half a second before the start
                cores = CpuMeter.per_second(before, after, r.pop("client_cpu_s"), window)
                answered = r["total"]["requests"] or 1
                # CPU milliseconds per request: a figure that holds on a busy machine.
                per_request = {k: round(cores[k] * window * 1000 / answered, 2) for k in ("server", "database")}
                results.append(
                    {"step": step, "concurrency": level, **r, "cores": cores, "cpu_ms_per_request": per_request,
                     "at": clock.now().isoformat()}
                )  # fmt: skip
    finally:
        driver.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    consistency = _consistency(activity_ids, started_at, ok)
    metrics = {}
    for r in results:
        t = r["total"]
        metrics[f"{r['step']}_c{r['concurrency']}"] = {
            "value": t["per_s"],
            "unit": "requests/s",
            "baseline": None,
            "ratio": None,
            "p50_ms": t["p50_ms"],
            "p95_ms": t["p95_ms"],
            "p99_ms": t["p99_ms"],
            "error_rate": t["error_rate"],
            "server_cpu_ms_per_request": r["cpu_ms_per_request"]["server"],
            "database_cpu_ms_per_request": r["cpu_ms_per_request"]["database"],
        }
    for key, m in metrics.items():  # baseline: the static file at the same concurrency
        base = metrics.get(f"static_c{key.rsplit('_c', 1)[1]}")
        if base and not key.startswith("static_") and base["value"]:
            m["baseline"] = base["value"]
            m["ratio"] = round((m["value"] or 0) / base["value"], 3)
    return {
        "metrics": metrics,
        "steps": results,
        "server": {
            "command": f"gunicorn rongxin.config.wsgi --workers {workers} --threads {THREADS}",
            "workers": workers,
            "threads": THREADS,
            "env": {"RONGXIN_ENV": "production", "RONGXIN_SSL_REDIRECT": "0", "RONGXIN_INCENTIVE_RATE": RATE},
            "client_processes": CLIENT_PROCESSES,
        },
        "fixtures": fixture_info,
        "data": data,
        "consistency": consistency,
        "started_at": started_at.isoformat(),
        "server_version": _server_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="the child of `rongxin bench load` (internal)")
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--levels", required=True)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    import django

    django.setup()
    steps = [s for s in args.steps.split(",") if s]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {sorted(unknown)}")
    result = _child(args.scale, args.seed, args.duration, levels_from(args.levels), steps, Path(args.out).parent)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
