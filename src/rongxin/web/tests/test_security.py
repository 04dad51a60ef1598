"""Security hardening, checked across the whole platform:

- every response carries the Content-Security-Policy and the other headers;
- ``check --deploy`` is clean with production settings (secrets only from the environment);
- deny by default: every page and every API route, walked from the URL configuration, refuses
  an anonymous caller and a town officer from outside the objects' region — and a refused call
  changes nothing.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.services import api_key_create
from rongxin.conftest import client_for, make_user
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Catalogue, Entry
from rongxin.credit.services.awards import Award, awards_record
from rongxin.credit.services.imports import import_create
from rongxin.incentives.models import Credential, Incentive
from rongxin.incentives.services.keys import signing_key
from rongxin.incentives.services.offers import incentives_load_starters
from rongxin.volunteering.models import Certificate, Correction, Membership, Scan, ServiceRecord
from rongxin.volunteering.services import callout_create, membership_apply
from rongxin.volunteering.services.mobilisation import ShiftInput
from rongxin.volunteering.tests.conftest import World, at, frozen, world  # noqa: F401 (the fixtures)

# Pages anyone may open (public information or the way in).
PUBLIC_PAGES = {
    "home", "login", "activity_list", "activity_detail", "team_list", "team_detail", "callout_list",
    "callout_detail", "certificate_verify", "incentives", "incentives_verify_offline",
    "public_index", "honours",  # funds: transparency (村务公开) and honour rolls
    # the project marketplace: catalogue, project pages, certificates, small wishes, ceremonies,
    # figures (named with their namespace: "catalogue" alone is the credit office's rule catalogue)
    "projects:catalogue", "projects:project", "projects:photo", "projects:certificate", "projects:wishes",
    "projects:wish", "projects:ceremonies", "projects:ceremony", "projects:ceremony_live", "projects:figures",
    "projects:sponsors",
}  # fmt: skip
# Object pages that are the same for all staff wherever they work (the county's rule catalogues,
# aggregate region counts).
REGION_FREE = {"catalogue", "region"}
REGION_FREE_API = ("/api/v1/credit/catalogues/",)
# API operations anyone may call (GET): public catalogues, documents and the published activities.
PUBLIC_API = (
    "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/regions", "/api/v1/volunteering/activity-types",
    "/api/v1/volunteering/activities", "/api/v1/volunteering/teams", "/api/v1/volunteering/callouts",
    "/api/v1/incentives/keys", "/api/v1/incentives/offers", "/api/v1/certificates/",
    "/api/v1/funds/public/",
)  # fmt: skip
# Public API reads matched whole (a prefix would open the whole area): the project marketplace's
# catalogue, a project, a certificate, the small wishes, the ceremonies, the figures.
PUBLIC_API_EXACT = tuple(
    re.compile(p)
    for p in (
        r"/api/v1/projects", r"/api/v1/projects/\d+", r"/api/v1/projects/certificates/[^/]+",
        r"/api/v1/projects/wishes", r"/api/v1/projects/wishes/\d+", r"/api/v1/projects/ceremonies(/\d{4}(/live)?)?",
        r"/api/v1/projects/figures", r"/api/v1/projects/sponsors",
    )
)  # fmt: skip


def test_every_response_carries_the_security_headers(client: Any, db: Any) -> None:
    page = client.get("/login/")
    assert page["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'; style-src 'self'")
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["Permissions-Policy"] == "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"
    api = client.get("/api/v1/incentives/keys")
    assert api["Content-Security-Policy"] == page["Content-Security-Policy"]
    docs = client.get("/api/v1/docs")
    assert "script-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]  # Swagger UI only
    session = client.post("/login/", {"username": "nobody", "password": "wrong-password"})
    assert session.status_code in (200, 422)


def test_check_deploy_is_clean_with_production_settings(tmp_path: Any) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(
        RONGXIN_ENV="production",
        RONGXIN_SECRET_KEY=secrets.token_urlsafe(60),
        RONGXIN_PII_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        RONGXIN_ALLOWED_HOSTS="rongxin.example.gov.cn",
        RONGXIN_DATA_DIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-m", "rongxin.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, "System check identified no issues (0 silenced)."), done.stderr
    # and it refuses to start without the secrets
    del env["RONGXIN_PII_KEY"]
    missing = subprocess.run(
        [sys.executable, "-m", "rongxin.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode != 0
    assert "RONGXIN_SECRET_KEY and RONGXIN_PII_KEY must be set in production" in missing.stderr


# --- Deny by default --------------------------------------------------------------------------
def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str | None]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}:{p.name}" if namespace and p.name else p.name)


def _fill(route: str, values: dict[str, str]) -> str | None:
    """The route with its converters replaced by the objects of town A (None if one is unknown)."""
    out = route.lstrip("^").rstrip("$")
    while "<" in out:
        start, end = out.index("<"), out.index(">")
        name = out[start + 1 : end].split(":")[-1]
        if name not in values:
            return None
        out = out[:start] + values[name] + out[end + 1 :]
    return "/" + out


def _state() -> dict[str, int]:
    """Row counts of every table of ours: a refused call must leave them all as they were.
    Rate-limit counters excepted: a limited route counts a refused call too (that is its job)."""
    out = {}
    for model in apps.get_models():
        if model._meta.label == "core.RateCounter":
            continue
        if model._meta.app_label in ("regions", "accounts", "subjects", "credit", "volunteering", "incentives", "core"):
            out[model._meta.label] = model.objects.count()
    return out


@pytest.fixture
def objects(world: World) -> dict[str, str]:  # noqa: F811 (the imported fixture)
    """One object of every kind a route names, all in town A."""
    incentives_load_starters()
    signing_key()  # the first public key request would create it
    v0 = world.volunteers[0]
    activity = world.activity()
    awards_record(
        awards=[Award(subject_id=v0.pk, rule_code="P-VOL-01", points=2, occurred_at=at("2026-02-20 10:00"),
                      evidence="志愿服务", source_key="walk:1")],
        department_code="volunteer_federation",
    )  # fmt: skip
    entry = Entry.objects.get(source_key="walk:1")
    batch = import_create(actor=None, department_code="traffic_police", file_name="x.csv", content=b"a,b\n1,2\n")
    scan = Scan.objects.create(activity=activity, volunteer=v0, kind="in", method="qr", at=activity.starts_at,
                               accepted=True)  # fmt: skip
    record = ServiceRecord.objects.create(
        activity=activity, volunteer=v0, team=world.team, service_date=activity.starts_at.date(), place="p",
        content="c", minutes=60, rating="good", recorded_at=activity.starts_at,
    )  # fmt: skip
    correction = Correction.objects.create(record=record, volunteer=v0, requested_minutes=90, reason="r",
                                           requested_at=activity.starts_at)  # fmt: skip
    membership = membership_apply(actor=world.users[1], team_id=world.team.pk)
    callout = callout_create(
        actor=world.town_a, title="防汛", kind="flood", region_code=world.tree.town_a.code, description="",
        shifts=[ShiftInput(place="河堤", starts_at=at("2026-03-03 08:00"), ends_at=at("2026-03-03 12:00"), needed=3)],
    )  # fmt: skip
    certificate = Certificate.objects.create(
        number="RXC20260301ABCDEFGH", volunteer=v0, issuer="东山社区居民委员会", period_from=at("2026-01-01 00:00").date(),
        period_to=at("2026-02-28 00:00").date(), minutes=60, records=1, content="c", issued_at=activity.starts_at,
        digest="0" * 64,
    )  # fmt: skip
    incentive = Incentive.objects.get(code="bus-half-aa")
    key_row, _key = api_key_create(actor=None, user=world.town_a, name="walk")
    credential = Credential.objects.create(
        jti="walkjti", subject_id=v0.pk, incentive=incentive, holder="H" * 16, kind="card", kid="k",
        issued_at=activity.starts_at, expires_at=activity.ends_at,
    )  # fmt: skip
    return {
        "subject_id": str(v0.pk), "entry_id": str(entry.pk), "batch_id": str(batch.pk),
        "catalogue_id": str(Catalogue.objects.order_by("pk").first().pk), "activity_id": str(activity.pk),  # type: ignore[union-attr]
        "scan_id": str(scan.pk), "record_id": str(record.pk), "correction_id": str(correction.pk),
        "membership_id": str(membership.pk), "team_id": str(world.team.pk), "callout_id": str(callout.pk),
        "shift_id": str(callout.shifts.first().pk), "number": certificate.number, "jti": credential.jti,  # type: ignore[union-attr]
        "incentive_id": str(incentive.pk), "code": world.tree.town_a.code, "id": str(incentive.pk),
        "provider_id": str(incentive.provider_id), "user_id": str(world.town_a.pk),
        "grant_id": str(world.town_a.grants.get().pk), "key_id": str(key_row.pk),
    }  # fmt: skip


def _routes(values: dict[str, str]) -> list[tuple[str, str | None, bool]]:
    """(path, name, names an object) for every route we can fill."""
    out = []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(("i18n/", "api/v1/docs", "api/v1/openapi")):
            continue
        path = _fill(route.replace("{", "<").replace("}", ">"), values)
        if path is not None:
            out.append((path, name, "<" in route or "{" in route))
    return out


def _allowed_anonymously(path: str, name: str | None) -> bool:
    if path.startswith("/api/"):
        bare = path.split("?")[0].rstrip("/")
        return bare.startswith(tuple(p.rstrip("/") for p in PUBLIC_API)) or any(
            p.fullmatch(bare) for p in PUBLIC_API_EXACT
        )
    return name in PUBLIC_PAGES or (name or "").split(":")[-1] in PUBLIC_PAGES - {"catalogue"}


def test_anonymous_callers_are_refused_everywhere_but_public_pages(objects: dict[str, str]) -> None:
    client = client_for(None)
    before = _state()
    writes = AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE).count()
    routes = _routes(objects)
    assert len(routes) > 150  # every page and API route of the platform
    wrong = []
    for path, name, _obj in routes:
        for method in ("get", "post"):
            response = (
                getattr(client, method)(path, {}, content_type="application/json")
                if path.startswith("/api/")
                else getattr(client, method)(path)
            )
            code = response.status_code
            if method == "get" and _allowed_anonymously(path, name):
                continue
            refused = code in (401, 403, 404, 405) or (code == 302 and "/login/" in response.get("Location", ""))
            bare = (name or "").split(":")[-1]
            if bare == "login" or (bare == "certificate_verify" and code in (200, 404, 405)):
                refused = True
            if not refused and not (method == "get" and code in (400, 422) and path.startswith("/api/")):
                wrong.append((method.upper(), path, code))
    assert wrong == [], wrong
    assert {k: v for k, v in _state().items() if k != "core.AuditEvent"} == {
        k: v for k, v in before.items() if k != "core.AuditEvent"
    }
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE).count() == writes


@pytest.mark.parametrize(
    ("role", "region"),
    [(Role.TOWN_OFFICER, "town_b"), (Role.VILLAGE_OFFICER, "village_b1"), (Role.TEAM_LEADER, "town_b")],
)
def test_staff_of_another_town_reach_nothing_even_with_an_invalid_body(
    role: str,
    region: str,
    objects: dict[str, str],
    world: World,  # noqa: F811
) -> None:
    """Every route naming an object of town A, as staff of town B, with an empty (invalid) body:
    refused as missing (403/404/405), never a 422 that would tell the object exists."""
    outsider = make_user(f"{role}_b_walk", role, getattr(world.tree, region))
    client = client_for(outsider)
    before = _state()
    wrong = []
    for path, name, names_object in _routes(objects):
        if not names_object:
            continue
        api = path.startswith("/api/")
        # An empty body, and for the API a body of the wrong type and the other write methods:
        # the outsider must be refused before any of it is validated.
        attempts = [("get", {}), ("post", {})]
        if api:
            attempts += [("post", []), ("put", []), ("patch", []), ("delete", [])]
        for method, body in attempts:
            if method == "get" and (
                _allowed_anonymously(path, name)
                or (name or "").split(":")[-1] in REGION_FREE
                or path.startswith(REGION_FREE_API)
            ):
                continue
            if api:
                response = getattr(client, method)(path, body, content_type="application/json")
            else:
                response = getattr(client, method)(path)
            code = response.status_code
            # A refused form post may redirect back with its message; the state check below
            # proves it changed nothing.
            if code not in (403, 404, 405) and not (code == 302 and method == "post"):
                wrong.append((method.upper(), path, code))
    assert wrong == [], wrong
    assert {k: v for k, v in _state().items() if k != "core.AuditEvent"} == {
        k: v for k, v in before.items() if k != "core.AuditEvent"
    }
    written = AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE, actor=outsider).count()
    assert written == 0
    assert Membership.objects.count() == before["volunteering.Membership"]
