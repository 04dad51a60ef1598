"""A run's accounts and inputs, prepared in the load database (all accounts named ``load_*``):
office sessions, provider API keys, printed-card credentials, volunteers confirmed for activities
running now, subjects to explain and search queries."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rongxin.bench.harness import Stopwatch
from rongxin.bench.load.scenarios import OFFER

if TYPE_CHECKING:
    from rongxin.accounts.models import User
    from rongxin.accounts.services import GrantSpec

OFFICES = 4
SESSIONS = 8
PROVIDERS = 8
PER_ACTIVITY = 20


@dataclass
class Fixtures:
    provider_keys: list[str]
    tokens: list[str]
    volunteers: list[tuple[str, int, bytes]]
    sessions: list[str]
    subjects: list[int]
    queries: list[str]


def _user(username: str, grants: list[GrantSpec]) -> User:
    from rongxin.accounts.models import User
    from rongxin.accounts.services import user_create

    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=None, username=username, display_name="负载测试", password=secrets.token_urlsafe(16), grants=grants
        )
    return user


def _office_sessions() -> tuple[User, list[str]]:
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


def _provider_keys(office: User) -> list[str]:
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
    from rongxin.bench.cards import cards_in_bulk
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


def prepare(scale: float, rng: random.Random, tag: str) -> tuple[Fixtures, dict[str, Any], list[int]]:
    """Everything a run needs; with what it is (for the result) and the new activities' ids."""
    whole = Stopwatch()
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
        "seconds": round(whole.stop().wall, 1),
    }
    return fixtures, info, activity_ids
