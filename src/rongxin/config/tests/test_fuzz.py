"""API fuzzing: schemathesis against the OpenAPI document, as every role.

For every operation × role, schemathesis generates requests (valid ones, invalid ones, and valid
ones that name real objects of a small county) and sends them to the application in-process
(WSGI, the same Django stack as production). Every response must hold to the contract:

- never a 5xx;
- a documented status matches its documented schema and media type;
- anything else is a 4xx problem+json (``type``, ``title``, ``status``, ``code``; the status in
  the body equals the HTTP status);
- nothing from outside the caller's scope: residents, officers, team leaders, providers, the
  enterprise representative and anonymous callers never see the name or volunteer number of a
  subject they have no business with (seeded with distinctive names such as 区外居民甲).

``make test`` runs a short, derandomized run: ``RONGXIN_FUZZ_EXAMPLES`` generated requests per
operation (default 3), each sent as every role, the same requests every run. ``make fuzz`` runs a
long random one (``RONGXIN_FUZZ_EXAMPLES=200 RONGXIN_FUZZ_RANDOM=1``); a failure prints its
``RONGXIN_FUZZ_SEED``, and setting it repeats the run. The county is built once per module; each
test runs inside its own savepoint, so what one test's requests change never reaches the next.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import secrets
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import pydantic
import pytest
import schemathesis
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.accounts.services import api_key_create
from rongxin.config.api import api
from rongxin.conftest import Tree, link, make_id_number, make_organisation, make_person, make_user
from rongxin.core import clock
from rongxin.credit.models import Catalogue
from rongxin.credit.services.awards import Award, awards_record
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.credit.services.entries import entry_record
from rongxin.credit.services.imports import import_create
from rongxin.credit.services.scores import credit_on_consent_change
from rongxin.incentives.models import Incentive, Provider
from rongxin.incentives.services.credentials import credential_issue
from rongxin.incentives.services.offers import IncentiveInput, incentive_propose, incentives_load_starters
from rongxin.incentives.services.providers import provider_account_add
from rongxin.incentives.services.redemptions import redemption_record
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Activity, Team, Volunteer
from rongxin.volunteering.services import (
    ActivityInput,
    ShiftInput,
    activity_close,
    activity_create,
    activity_publish,
    attendance_assist,
    callout_create,
    correction_request,
    duty_respond,
    leader_set,
    membership_apply,
    membership_decide,
    signup_create,
    team_create,
    volunteer_register,
)
from rongxin.volunteering.services.certificates import certificate_issue

EXAMPLES = int(os.environ.get("RONGXIN_FUZZ_EXAMPLES", "3"))
# Derandomized unless asked (the same requests every run); a random run can be repeated by its seed.
RANDOM = os.environ.get("RONGXIN_FUZZ_RANDOM") == "1" or "RONGXIN_FUZZ_SEED" in os.environ
SEED = int(os.environ.get("RONGXIN_FUZZ_SEED") or secrets.randbelow(2**32))
PROBLEM = "application/problem+json"
TZ = clock.LOCAL_TZ

DOCUMENT = json.loads(json.dumps(api.get_openapi_schema()))
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATION_IDS = sorted(op["operationId"] for path in DOCUMENT["paths"].values() for op in path.values())
ROLES = [
    "county_office",
    "recorder",
    "town_a_officer",
    "village_b1_officer",
    "team_leader",
    "resident",
    "enterprise_rep",
    "provider",
    "auditor",
    "anonymous",
]
APP = WSGIHandler()
# What every WSGI server sets and werkzeug's test client leaves out (rate limits key on it).
ENVIRON = {"REMOTE_ADDR": "127.0.0.1"}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


# --- The county ------------------------------------------------------------------------------
@dataclass
class County:
    keys: dict[str, str]  # role → API key ("" for anonymous)
    known: dict[str, list[Any]]  # parameter or body field name → real values, most telling first
    forbidden: dict[str, list[str]]  # role → strings its responses must never contain
    private: dict[str, str] = field(default_factory=dict)  # id of a binary document → its owner


def _volunteer(
    username: str, village: Any, name: str, birth: str, *, role: str | None = None, region: Any = None
) -> tuple[User, Volunteer]:
    user = make_user(username, role, region)
    person = make_person(village, name=name, id_number=make_id_number(birth=birth), consent=True)
    link(user, person.subject)
    credit_on_consent_change(subject_id=person.pk, consent=True)
    return user, volunteer_register(actor=user, agree=True, skills=["cooking"])


def _join(user: User, team: Team, admin: User) -> None:
    m = membership_apply(actor=user, team_id=team.pk)
    membership_decide(actor=admin, membership_id=m.pk, accept=True)


def _activity(leader: User, team: Team, village: Any, title: str, starts: str, ends: str) -> Activity:
    data = ActivityInput(
        type_code="elderly_care",
        title=title,
        region_code=village.code,
        place=f"{village.name}敬老院",
        starts_at=at(starts),
        ends_at=at(ends),
        capacity=10,
    )
    return activity_create(actor=leader, team_id=team.pk, data=data)


def build_county(traveller: Any) -> County:
    tree = Tree()
    catalogue_load_starters()
    incentives_load_starters()
    traffic = Department.objects.get(code="traffic_police")

    office = make_user("county_office", Role.COUNTY_CREDIT_OFFICE, tree.county)
    recorder = make_user("recorder", Role.DEPARTMENT_RECORDER, tree.county, department=traffic)
    town_a_officer = make_user("town_a_officer", Role.TOWN_OFFICER, tree.town_a)
    town_b_officer = make_user("town_b_officer", Role.TOWN_OFFICER, tree.town_b)
    village_b1_officer = make_user("village_b1_officer", Role.VILLAGE_OFFICER, tree.village_b1)
    auditor = make_user("auditor", Role.AUDITOR, tree.county)
    provider = make_user("provider", Role.INCENTIVE_PROVIDER, tree.county)
    bus = Provider.objects.get(code="rc_bus")
    provider_account_add(actor=office, provider_id=bus.pk, user=provider)

    # Town A: a team with its leader, the resident, a member from the other village, an applicant.
    team_a = team_create(
        actor=town_a_officer, name="东山社区志愿服务队", tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE,
        region_code=tree.town_a.code,
    )  # fmt: skip
    leader = make_user("team_leader", Role.TEAM_LEADER, tree.town_a)
    leader_person = make_person(
        tree.village_a1, name="甲队队长", id_number=make_id_number(birth="19800101"), consent=True
    )
    link(leader, leader_person.subject)
    leader_volunteer = volunteer_register(actor=leader, agree=True)
    _join(leader, team_a, town_a_officer)
    leader_set(actor=town_a_officer, team_id=team_a.pk, volunteer_number=leader_volunteer.number)
    resident, resident_v = _volunteer("resident", tree.village_a1, "本人居民", "19850101")
    _join(resident, team_a, town_a_officer)
    same_town, same_town_v = _volunteer("same_town", tree.village_a2, "同镇居民乙", "19860101")
    _join(same_town, team_a, town_a_officer)
    applicant, applicant_v = _volunteer("applicant", tree.village_a2, "申请人戊", "19870101")
    application = membership_apply(actor=applicant, team_id=team_a.pk)

    # Town B: its own team and leader, a neighbour in village B1, an outsider in village B2.
    team_b = team_create(
        actor=town_b_officer, name="烟墩角志愿服务队", tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE,
        region_code=tree.town_b.code,
    )  # fmt: skip
    leader_b, leader_b_v = _volunteer(
        "leader_b", tree.village_b1, "乙队队长", "19810101", role=Role.TEAM_LEADER, region=tree.town_b
    )
    _join(leader_b, team_b, town_b_officer)
    leader_set(actor=town_b_officer, team_id=team_b.pk, volunteer_number=leader_b_v.number)
    neighbour, neighbour_v = _volunteer("neighbour", tree.village_b1, "邻村居民丙", "19880101")
    _join(neighbour, team_b, town_b_officer)
    outsider, outsider_v = _volunteer("outsider", tree.village_b2, "区外居民甲", "19890101")
    _join(outsider, team_b, town_b_officer)

    enterprise = make_organisation(tree.village_a1, name="东山海产有限公司")
    enterprise_rep = make_user("enterprise_rep", Role.ENTERPRISE_REP, tree.village_a1)
    link(enterprise_rep, enterprise.subject, relation="representative")
    outside_enterprise = make_organisation(tree.village_b2, name="区外企业丁")

    # Yesterday's activities, attended and closed: service records and credit awards.
    closed_a = activity_publish(
        actor=leader,
        activity_id=_activity(leader, team_a, tree.village_a1, "敬老院陪伴", "2026-03-02 09:00", "2026-03-02 12:00").pk,
    )
    closed_b = activity_publish(
        actor=leader_b,
        activity_id=_activity(leader_b, team_b, tree.village_b1, "海边清扫", "2026-03-02 09:00", "2026-03-02 12:00").pk,
    )
    attendance = [(closed_a, leader, [resident_v, same_town_v]), (closed_b, leader_b, [neighbour_v, outsider_v])]
    users_by_volunteer = {
        resident_v.pk: resident,
        same_town_v.pk: same_town,
        neighbour_v.pk: neighbour,
        outsider_v.pk: outsider,
    }
    for activity, _organiser, volunteers in attendance:
        for v in volunteers:
            signup_create(actor=users_by_volunteer[v.pk], activity_id=activity.pk)
    traveller.move_to(at("2026-03-02 12:30"))
    for activity, organiser, volunteers in attendance:
        for v in volunteers:
            for kind, when in (("in", "2026-03-02 09:00"), ("out", "2026-03-02 12:00")):
                attendance_assist(
                    actor=organiser, activity_id=activity.pk, volunteer_number=v.number, kind=kind, at=at(when),
                    reason="老人无智能手机",
                )  # fmt: skip
        activity_close(actor=organiser, activity_id=activity.pk)

    # Today (the fuzzing day): upcoming activities with sign-ups, a draft, call-outs.
    traveller.move_to(at("2026-03-03 10:00"))
    upcoming_a = activity_publish(
        actor=leader,
        activity_id=_activity(leader, team_a, tree.village_a1, "义诊服务", "2026-03-05 09:00", "2026-03-05 11:00").pk,
    )
    signup_create(actor=resident, activity_id=upcoming_a.pk)
    signup_create(actor=same_town, activity_id=upcoming_a.pk)
    draft_a = _activity(leader, team_a, tree.village_a2, "植树", "2026-03-06 09:00", "2026-03-06 11:00")
    upcoming_b = activity_publish(
        actor=leader_b,
        activity_id=_activity(leader_b, team_b, tree.village_b1, "渔港宣讲", "2026-03-05 14:00", "2026-03-05 16:00").pk,
    )
    signup_create(actor=outsider, activity_id=upcoming_b.pk)
    signup_create(actor=neighbour, activity_id=upcoming_b.pk)
    shift = ShiftInput(place="村委会", starts_at=at("2026-03-04 08:00"), ends_at=at("2026-03-04 12:00"), needed=5)
    callout_a = callout_create(
        actor=town_a_officer,
        title="防汛值守",
        kind="flood",
        region_code=tree.town_a.code,
        description="",
        shifts=[shift],
    )
    callout_b = callout_create(
        actor=town_b_officer,
        title="海岸巡查",
        kind="cleanup",
        region_code=tree.town_b.code,
        description="",
        shifts=[shift],
    )
    shift_a, shift_b = callout_a.shifts.get(), callout_b.shifts.get()
    duty_respond(actor=resident, shift_id=shift_a.pk)
    duty_respond(actor=outsider, shift_id=shift_b.pk)

    # Records, corrections, certificates.
    record_of = {v.pk: v.records.get(current=True) for v in (resident_v, same_town_v, neighbour_v, outsider_v)}
    correction = correction_request(
        actor=resident, record_id=record_of[resident_v.pk].pk, minutes=150, reason="签到晚录"
    )
    correction_request(actor=outsider, record_id=record_of[outsider_v.pk].pk, minutes=150, reason="签退晚录")
    certificates = [
        certificate_issue(actor=u, period_from=dt.date(2026, 3, 1), period_to=dt.date(2026, 3, 2))[0]
        for u in (resident, outsider)
    ]

    # Credit: deductions by the traffic police, objections, a queued import.
    entries = []
    for person_user, key in ((resident, "r"), (outsider, "o"), (neighbour, "n"), (same_town, "s")):
        subject_id = person_user.subject_links.get().subject_id
        entry, _created = entry_record(
            actor=recorder, subject_id=subject_id, rule_code="P-TRA-01", occurred_at=at("2026-03-02 08:00"),
            evidence="电子警察抓拍记录", source_key=f"fuzz:{key}",
        )  # fmt: skip
        entries.append(entry)
    for org, key in ((enterprise, "e"), (outside_enterprise, "f")):
        entry, _created = entry_record(
            actor=recorder, subject_id=org.pk, rule_code="E-TRA-02", occurred_at=at("2026-03-02 08:00"),
            evidence="交通违法处理记录", source_key=f"fuzz:{key}", points=3,
        )  # fmt: skip
        entries.append(entry)
    batch = import_create(
        actor=recorder, department_code="traffic_police", file_name="records.csv", content=b"subject,rule\n"
    )

    # Incentives: AA residents hold bus cards; one redemption; a proposed offer.
    for person_user, key in ((resident, "r"), (outsider, "o")):
        awards_record(
            awards=[
                Award(
                    subject_id=person_user.subject_links.get().subject_id, rule_code="P-VOL-01", points=40,
                    occurred_at=at("2026-03-02 12:00"), evidence="志愿服务记录", source_key=f"fuzz-award:{key}",
                )
            ],
            department_code="volunteer_federation",
        )  # fmt: skip
    bus_half = Incentive.objects.get(code="bus-half-aa")
    resident_card = credential_issue(actor=resident, incentive_id=bus_half.pk, kind="card")
    outsider_card = credential_issue(actor=outsider, incentive_id=bus_half.pk, kind="card")
    redemption_record(actor=provider, token=resident_card.token, reference="BUS-0001")
    proposed = incentive_propose(
        actor=provider,
        data=IncentiveInput(
            code="bus-night", title_zh="夜班公交免费", title_en="Free night buses", category="transit",
            min_grade="AA", benefit_zh="夜班公交免费乘车", valid_from=dt.date(2026, 4, 1),
        ),
    )  # fmt: skip

    users = {
        "county_office": office,
        "recorder": recorder,
        "town_a_officer": town_a_officer,
        "village_b1_officer": village_b1_officer,
        "team_leader": leader,
        "resident": resident,
        "enterprise_rep": enterprise_rep,
        "provider": provider,
        "auditor": auditor,
    }
    keys = {role: api_key_create(actor=None, user=u, name="fuzz")[1] for role, u in users.items()}
    keys["anonymous"] = ""

    def subject(u: User) -> Subject:
        return u.subject_links.get().subject

    resident_s, same_town_s, applicant_s = subject(resident), subject(same_town), subject(applicant)
    neighbour_s, outsider_s = subject(neighbour), subject(outsider)
    subject_ids = [
        resident_s.pk, outsider_s.pk, neighbour_s.pk, same_town_s.pk, enterprise.pk, outside_enterprise.pk,
        applicant_s.pk, subject(leader).pk,
    ]  # fmt: skip
    known: dict[str, list[Any]] = {
        "subject_id": subject_ids,
        "entry_id": [e.pk for e in entries],
        "catalogue_id": list(Catalogue.objects.order_by("pk").values_list("pk", flat=True)),
        "batch_id": [batch.pk],
        "code": [tree.town_a.code, tree.town_b.code, tree.village_b2.code, tree.county.code, "bus-half-aa"],
        "region": [tree.town_a.code, tree.town_b.code, tree.village_b1.code, tree.village_a1.code],
        "region_code": [tree.town_a.code, tree.town_b.code, tree.village_b1.code, tree.village_a2.code],
        "near_village_code": [tree.village_a1.code, tree.village_b2.code],
        "team_id": [team_a.pk, team_b.pk],
        "activity_id": [upcoming_a.pk, closed_a.pk, draft_a.pk, upcoming_b.pk, closed_b.pk],
        "membership_id": [application.pk],
        "record_id": [record_of[v.pk].pk for v in (resident_v, outsider_v, same_town_v)],
        "correction_id": [correction.pk],
        "callout_id": [callout_a.pk, callout_b.pk],
        "shift_id": [shift_a.pk, shift_b.pk],
        "provider_id": [bus.pk],
        "incentive_id": [proposed.pk, bus_half.pk],
        "number": [c.number for c in certificates],
        "jti": [resident_card.credential.jti, outsider_card.credential.jti],
        "q": ["区外居民甲", "邻村居民丙", "同镇居民乙", "本人居民", "区外企业丁", "东山海产有限公司"],
        "volunteer_number": [v.number for v in (resident_v, outsider_v, same_town_v, neighbour_v)],
        "token": [resident_card.token, outsider_card.token],
        "tokens": [[resident_card.token, outsider_card.token]],
        "username": ["provider", "resident"],
    }

    def marks(*people: tuple[str, Volunteer | None]) -> list[str]:
        return [s for name, v in people for s in (name, v.number if v else "") if s]

    resident_p = ("本人居民", resident_v)
    same_town_p = ("同镇居民乙", same_town_v)
    applicant_p = ("申请人戊", applicant_v)
    neighbour_p = ("邻村居民丙", neighbour_v)
    outsider_p = ("区外居民甲", outsider_v)
    enterprise_p = ("东山海产有限公司", None)
    outside_enterprise_p = ("区外企业丁", None)
    everyone = [resident_p, same_town_p, applicant_p, neighbour_p, outsider_p, enterprise_p, outside_enterprise_p]
    forbidden = {
        # Town A's officer: nobody from town B.
        "town_a_officer": marks(neighbour_p, outsider_p, outside_enterprise_p),
        # Village B1's officer: nobody outside village B1.
        "village_b1_officer": marks(
            resident_p, same_town_p, applicant_p, outsider_p, enterprise_p, outside_enterprise_p
        ),
        # Town A's team leader: their team's members and applicants, nobody else.
        "team_leader": marks(neighbour_p, outsider_p, enterprise_p, outside_enterprise_p),
        # The resident: only themself.
        "resident": marks(same_town_p, applicant_p, neighbour_p, outsider_p, enterprise_p, outside_enterprise_p),
        # The enterprise's representative: only the enterprise.
        "enterprise_rep": marks(resident_p, same_town_p, applicant_p, neighbour_p, outsider_p, outside_enterprise_p),
        # A provider learns eligibility, never who.
        "provider": marks(*everyone),
        "anonymous": marks(*everyone),
    }
    private = {certificates[0].number: "本人居民", certificates[1].number: "区外居民甲"}
    return County(keys=keys, known=known, forbidden=forbidden, private=private)


@pytest.fixture(autouse=True, scope="module")
def keep_the_test_connection() -> Iterator[None]:
    """Schemathesis calls the WSGI app directly, so each request's start and end run Django's
    close_old_connections, which closes a connection inside a transaction (PostgreSQL; SQLite's
    in-memory test database is never closed) and with it the test's transaction. Django's own
    test client disconnects that receiver around its requests but connects it again after each
    one, so disconnecting it here would not last past the first test-client request: make the
    test connection's housekeeping a no-op for the module instead."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
        yield


@pytest.fixture(scope="module")
def county(django_db_setup: Any, django_db_blocker: Any, keep_the_test_connection: None) -> Iterator[County]:
    """The county, built once in an outer transaction that is rolled back after the module.

    Each test's ``db`` fixture nests a savepoint inside it; ``keep_the_test_connection`` keeps
    a request from closing the connection holding the transaction.
    """
    traveller = time_machine.travel(at("2026-03-01 10:00"), tick=False)
    coordinates = traveller.start()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            data = build_county(coordinates)
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        traveller.stop()


# --- The checks ------------------------------------------------------------------------------
def check_problem(response: Any) -> None:
    """A response with an undocumented status is a 4xx problem+json."""
    status = response.status_code
    assert 400 <= status < 500, f"undocumented status {status}"
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.split(";")[0].strip() == PROBLEM, f"{status} with Content-Type {content_type!r}"
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    assert {"type", "title", "status", "code"} <= body.keys(), body
    assert body["status"] == status, body
    assert body["type"] == f"/problems/{body['code']}", body
    assert isinstance(body["title"], str), body
    assert body["title"], body


# --- Edge values ------------------------------------------------------------------------------


def schema_name_collisions() -> dict[str, list[str]]:
    """Component names that stand for more than one schema class: the document would keep one of
    them, and every other operation using that name would be documented with the wrong schema."""
    classes: dict[str, set[str]] = {}
    seen: set[type] = set()

    def walk(t: Any) -> None:
        if isinstance(t, type) and issubclass(t, pydantic.BaseModel) and t not in seen:
            seen.add(t)
            classes.setdefault(t.__name__, set()).add(f"{t.__module__}.{t.__qualname__}")
            for f in t.model_fields.values():
                walk(f.annotation)
        for a in typing.get_args(t):
            walk(a)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*(operation.response_models or {}).values(), *operation.models]:
                    walk(model)
    # Ninja's own wrappers (one per operation, never a component) are not the project's.
    return {n: sorted(c) for n, c in sorted(classes.items()) if len(c) > 1 and not n.endswith(("Params", "Response"))}


def _routed(path: str) -> bool:
    try:
        resolve(unquote(path))
    except Resolver404:
        return False
    return True


def check_scope(role: str, county: County, case: Any, response: Any) -> None:
    """No name or volunteer number the role has no business with, in any response; and no
    binary document (a certificate PDF, whose text is not searchable) of such a person."""
    forbidden = county.forbidden.get(role, [])
    content_type = response.headers.get("content-type", [""])[0]
    text = response.content.decode("utf-8", errors="replace")
    if "json" in content_type:
        # The renderer escapes non-ASCII characters (\\u533a\\u5916...): search the decoded text.
        text = json.dumps(json.loads(response.content), ensure_ascii=False)
    leaked = [s for s in forbidden if s in text]
    assert not leaked, f"{role} received {leaked}: {text[:500]}"
    if 200 <= response.status_code < 300 and not content_type.startswith("application/json"):
        owners = [county.private.get(str(v)) for v in (case.path_parameters or {}).values()]
        leaked = [o for o in owners if o in forbidden]
        assert not leaked, f"{role} received a {content_type} document of {leaked}"


def substitute(case: Any, county: County, data: Any) -> None:
    """Swap some generated values for real ones of the county (drawn, so shrinkable)."""
    for container in (case.path_parameters, case.query):
        if not isinstance(container, dict):
            continue
        for name in sorted(container):
            values = county.known.get(name)
            if values and data.draw(st.booleans(), label=f"real {name}"):
                container[name] = data.draw(st.sampled_from(values), label=name)
    if isinstance(case.body, dict):
        for name in sorted(case.body):
            values = county.known.get(name)
            if values and data.draw(st.booleans(), label=f"real body.{name}"):
                case.body[name] = data.draw(st.sampled_from(values), label=f"body.{name}")


def describe(case: Any) -> str:
    """The request, to reproduce a failure by hand."""
    body = "" if isinstance(case.body, NotSet) else f" body={case.body!r}"
    return f"{case.method} {case.formatted_path} query={dict(case.query or {})!r}{body}"


def documented(case: Any, status: int) -> bool:
    responses = case.operation.definition.raw.get("responses", {})
    return str(status) in responses or status in responses


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def fuzz_settings() -> hypothesis_settings:
    return hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=not RANDOM,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# --- The tests -------------------------------------------------------------------------------
def role_headers(county: County, role: str, generated: str | None) -> dict[str, str]:
    """The role's API key; an anonymous caller keeps whatever Authorization was generated."""
    key = county.keys[role]
    if key:
        return {"Authorization": f"Bearer {key}"}
    return {"Authorization": generated} if generated is not None else {}


def check(case: Any, role: str, county: County, headers: dict[str, str]) -> Any:
    response = case.call(app=APP, headers=headers, environ_overrides=ENVIRON)
    checks = CHECKS
    try:
        case.validate_response(response, checks=checks, headers=headers)
        if not documented(case, response.status_code):
            check_problem(response)
        check_scope(role, county, case, response)
    except (AssertionError, FailureGroup) as e:
        e.add_note(f"as {role}: {describe(case)} → {response.status_code} {response.content[:300]!r}")
        if RANDOM:
            e.add_note(f"repeat with RONGXIN_FUZZ_SEED={SEED} RONGXIN_FUZZ_EXAMPLES={EXAMPLES}")
        raise
    return response


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_fuzz(operation_id: str, county: County, db: Any, settings: Any) -> None:
    """Every generated request is sent once as each role (the generation is the costly part,
    and the same real ids asked for by every role is what the scope check needs)."""
    # Rate limits would soon answer every request of a long run with 429; they have their own tests.
    settings.RONGXIN_VERIFY_RATE = settings.RONGXIN_INCENTIVE_RATE = "1000000/m"
    operation = SCHEMA.find_operation_by_id(operation_id)
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @fuzz_settings()
    @given(case=strategy, data=st.data())
    def run(case: Any, data: Any) -> None:
        substitute(case, county, data)
        generated = case.headers.pop("Authorization", None) if case.headers else None
        for role in ROLES:
            check(case, role, county, role_headers(county, role, generated))

    # A seed would override derandomization: only a random run gets one.
    (seed(SEED)(run) if RANDOM else run)()


# --- Hostile text in every string ---------------------------------------------------------------
# One string that breaks the free-text rule three ways (a query cannot carry a lone surrogate);
# and identifiers spelt with Arabic-Indic and fullwidth digits.
HOSTILE_BODY = "名\ud800字\x00\x1b[2J\u202e"
HOSTILE_QUERY = "名\x00字\x1b[2J\u202e"
FOREIGN_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# The rule is applied after authentication and the gates, the same for every signed-in role: the
# roles that reach the most operations, and a caller without a key.
HOSTILE_ROLES = ["county_office", "team_leader", "resident", "provider", "anonymous"]


def mutate_strings(value: Any, change: Any) -> tuple[Any, int]:
    """``value`` with every string in it changed by ``change``, and how many were changed."""
    if isinstance(value, str):
        return change(value), 1
    if isinstance(value, dict):
        out, n = {}, 0
        for k, v in value.items():
            out[k], m = mutate_strings(v, change)
            n += m
        return out, n
    if isinstance(value, list):
        items = [mutate_strings(v, change) for v in value]
        return [v for v, _m in items], sum(m for _v, m in items)
    return value, 0


def send_raw(case: Any, headers: dict[str, str], body: Any, query: dict[str, Any]) -> Any:
    """The request sent by Django's test client: JSON escapes a lone surrogate, which the
    schemathesis client cannot encode."""
    client = Client(raise_request_exception=False, **ENVIRON)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    path = case.formatted_path
    if query:
        path += "?" + urlencode(query, doseq=True)
    if body is None:
        return getattr(client, case.method.lower())(path, **extra)
    return getattr(client, case.method.lower())(path, data=json.dumps(body), content_type="application/json", **extra)


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_hostile_text_in_every_string_answers_a_4xx_problem(
    operation_id: str, county: County, db: Any, settings: Any
) -> None:
    """A valid request, then every string of its JSON body and query spoilt: with control
    characters, a bidi override and (in bodies) a lone surrogate, it must be refused with a 4xx
    problem, never stored; with its digits in another script, answered within the contract.
    Either way never a 5xx, as every role."""
    settings.RONGXIN_VERIFY_RATE = settings.RONGXIN_INCENTIVE_RATE = "1000000/m"
    operation = SCHEMA.find_operation_by_id(operation_id)

    @hypothesis_settings(
        max_examples=1, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(GenerationMode.POSITIVE), data=st.data())
    def run(case: Any, data: Any) -> None:
        substitute(case, county, data)
        generated = case.headers.pop("Authorization", None) if case.headers else None
        json_body = case.media_type == "application/json" and not isinstance(case.body, NotSet)
        body = case.body if json_body else None
        query = dict(case.query or {})
        bad_body, n_body = mutate_strings(body, lambda t: t + HOSTILE_BODY)
        bad_query, n_query = mutate_strings(query, lambda t: t + HOSTILE_QUERY)
        if n_body + n_query:
            for role in HOSTILE_ROLES:
                response = send_raw(case, role_headers(county, role, generated), bad_body, bad_query)
                seen = (response.status_code, response["Content-Type"])
                assert 400 <= seen[0] < 500, f"{role}: {describe(case)} → {seen}"
                assert seen[1] == PROBLEM, f"{role}: {describe(case)} → {seen}"
                assert response.json()["status"] == response.status_code
        digits_body, d_body = mutate_strings(body, lambda t: (t or "0").translate(FOREIGN_DIGITS))
        digits_query, d_query = mutate_strings(query, lambda t: (t or "0").translate(FOREIGN_DIGITS))
        if d_body + d_query:
            if json_body:
                case.body = digits_body
            case.query = digits_query
            for role in HOSTILE_ROLES:
                check(case, role, county, role_headers(county, role, generated))

    run()


# --- Scope, deterministically -----------------------------------------------------------------
# The roles whose responses are searched for what they must not see.
SCOPED_ROLES = [
    "town_a_officer",
    "village_b1_officer",
    "team_leader",
    "resident",
    "enterprise_rep",
    "provider",
    "anonymous",
]
# Required or telling query values for the sweep (staff read files for a purpose).
SWEEP_QUERY = {"purpose": "service", "at": "2026-03-03T10:00:00+08:00"}


def sweep_cases(county: County) -> Iterator[Any]:
    """Every read whose path names only real objects, with every real id, and then once with
    each real value of each query parameter (search text, regions, subjects)."""
    for operation_id in OPERATION_IDS:
        operation = SCHEMA.find_operation_by_id(operation_id)
        if operation.method.upper() != "GET":
            continue
        parameters = operation.definition.raw.get("parameters", [])
        path = [p["name"] for p in parameters if p["in"] == "path"]
        query = [p["name"] for p in parameters if p["in"] == "query"]
        if any(name not in county.known for name in path):
            continue
        base = {name: SWEEP_QUERY[name] for name in query if name in SWEEP_QUERY}
        variants = [base] + [base | {name: v} for name in query for v in county.known.get(name, [])]
        for values in itertools.product(*(county.known[name] for name in path)):
            for q in variants:
                yield operation.Case(path_parameters=dict(zip(path, values, strict=True)), query=q)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_every_read_of_real_objects_stays_in_scope(role: str, county: County, db: Any) -> None:
    """The fuzz tests name real objects by chance; this names each of them, as each role."""
    assert sorted(county.forbidden) == sorted(SCOPED_ROLES)
    failures = []
    sent = 0
    for case in sweep_cases(county):
        sent += 1
        try:
            check(case, role, county, role_headers(county, role, None))
        except (AssertionError, FailureGroup) as e:
            failures.append(" ".join([str(e).splitlines()[0], *getattr(e, "__notes__", [])]))
    assert failures == []
    assert sent == 222


def test_the_scope_check_has_something_to_find(county: County, db: Any) -> None:
    """The seeded names are really there for a role that may see them, so the scope checks can
    fail; the town A officer gets nothing for the same search."""
    search = SCHEMA.find_operation_by_id("subjects_search").Case(query={"q": "区外居民甲"})
    office = search.call(app=APP, headers=role_headers(county, "county_office", None), environ_overrides=ENVIRON)
    assert [s["name"] for s in json.loads(office.content)] == ["区外居民甲"]
    with pytest.raises(AssertionError, match="town_a_officer received \\['区外居民甲'\\]"):
        check_scope("town_a_officer", county, search, office)
    town = search.call(app=APP, headers=role_headers(county, "town_a_officer", None), environ_overrides=ENVIRON)
    assert (town.status_code, json.loads(town.content)) == (200, [])


# --- Edge cases the fuzzer once found, one request each --------------------------------------
def test_an_unrouted_api_path_answers_problem_json(county: County, db: Any) -> None:
    response = Client().get("/api/v1/subjects/-1/views", HTTP_AUTHORIZATION=f"Bearer {county.keys['auditor']}")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert (response.json()["status"], response.json()["code"]) == (404, "not_found")


def test_an_unparsable_body_answers_problem_json(county: County, db: Any) -> None:
    response = Client().post(
        f"/api/v1/volunteering/activities/{county.known['activity_id'][1]}/close",
        data=b"\x00",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {county.keys['team_leader']}",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert {"type", "title", "status", "code"} <= response.json().keys()


def test_a_session_write_without_csrf_token_answers_problem_json(county: County, db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="resident"))
    response = client.post("/api/v1/volunteering/me/withdraw")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert {"type", "title", "status", "code"} <= response.json().keys()


def test_an_anonymous_write_answers_401_problem_json(county: County, db: Any) -> None:
    response = Client(enforce_csrf_checks=True).post("/api/v1/volunteering/me/withdraw")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "unauthenticated"


def test_every_schema_name_in_the_document_stands_for_one_schema() -> None:
    assert schema_name_collisions() == {}


def test_a_published_activity_matches_its_documented_schema(county: County, db: Any) -> None:
    operation = SCHEMA.find_operation_by_id("volunteering_activity_publish")
    case = operation.Case(path_parameters={"activity_id": county.known["activity_id"][2]})
    headers = role_headers(county, "team_leader", None)
    response = case.call(app=APP, headers=headers, environ_overrides=ENVIRON)
    assert response.status_code == 200
    case.validate_response(response, checks=[response_schema_conformance], headers=headers)


SERVER_ERRORS = [
    # Dates: local midnight of the first day, or the day after the last, leaves the calendar.
    ("resident", "/api/v1/volunteering/activities?date_from=0001-01-01"),
    ("resident", "/api/v1/volunteering/activities?date_to=9999-12-31"),
    # Integers the document allows but SQLite (and PostgreSQL bigint) cannot hold.
    ("resident", "/api/v1/volunteering/activities?offset=99999999999999999999"),
    ("resident", "/api/v1/volunteering/records?offset=9223372036854775808"),
    ("auditor", "/api/v1/audit/events?page=99999999999999999999"),
    ("resident", "/api/v1/incentives/me?subject_id=99999999999999999999"),
]


@pytest.mark.parametrize(("role", "url"), SERVER_ERRORS)
def test_edge_values_answer_a_4xx_problem(role: str, url: str, county: County, db: Any) -> None:
    response = Client(raise_request_exception=False).get(url, HTTP_AUTHORIZATION=f"Bearer {county.keys[role]}")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("method", "path"), [("patch", "/api/v1/volunteering/me"), ("post", "/api/v1/volunteering/me/withdraw")]
)
def test_a_volunteer_updates_and_withdraws_on_every_database(method: str, path: str, county: County, db: Any) -> None:
    response = getattr(Client(raise_request_exception=False), method)(
        path, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {county.keys['resident']}"
    )
    assert response.status_code == 200
    assert response.json()["number"] == county.known["volunteer_number"][0]
