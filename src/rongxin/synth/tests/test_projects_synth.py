"""The synthetic project marketplace at a small scale: every project state, each yuan raised is a
payment and a journal line on the project's income account, raised = spent + settled + left,
closed projects hold nothing, pledges within budgets, wishes within ceilings, the books verify,
the credit keys are unique and the caches agree with the ledger, and a second load is refused.

The county (with its funds and credit catalogues) is generated once for the module, in an outer
transaction rolled back after it: loading synthetic books per test is what makes CI slow on
PostgreSQL. Each test's ``db`` nests a savepoint inside it."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q, Sum

from rongxin.core import clock
from rongxin.credit.models import Entry
from rongxin.funds.domain.accounts import BANK, TRANSFER_IN, project_codes
from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine
from rongxin.projects.models import (
    Ceremony,
    Milestone,
    Payment,
    Pledge,
    Project,
    ProjectActivity,
    Settlement,
    Spending,
    TeamApplication,
    Wish,
)
from rongxin.projects.permissions.common import (
    CREDIT_DEPARTMENT,
    ORGANISATION_SPONSOR_RULE,
    ORGANISATION_WISH_RULE,
    PERSON_SPONSOR_RULE,
    PERSON_WISH_RULE,
)
from rongxin.projects.services.payments import credit_key as payment_credit_key
from rongxin.projects.services.payments import payment_evidence
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject
from rongxin.synth.demo import _resident_subject
from rongxin.synth.projects import ProjectsGenerator, ProjectsRefused, generate_projects

SCALE = 0.02
SEED = 5
NOW = dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
TODAY = dt.date(2026, 6, 30)
ZERO = Decimal("0.00")


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The county, its funds and its project marketplace, generated once for the module."""
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            call_command(
                "generate", scale=SCALE, seed=SEED, no_progress=True, no_volunteering=True, no_canteens=True,
                workers=0, as_of=TODAY, stdout=io.StringIO(),
            )  # fmt: skip
            # (no volunteering, so the marketplace makes a team per town and links no activity)
            result = generate_projects(seed=SEED, now=NOW, scale=SCALE)
            yield {"counts": result.counts}
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        traveller.stop()


@pytest.fixture
def county(loaded: dict[str, Any], db: Any) -> Iterator[dict[str, Any]]:
    with time_machine.travel(NOW, tick=False):
        yield loaded


def test_every_state_and_kind_is_there(county: dict[str, Any]) -> None:
    # then every project state is present, each publisher kind, pledges made at a ceremony
    states = Counter(Project.objects.values_list("state", flat=True))
    assert set(states) == {s for s, _l in Project.State.choices}
    assert set(Project.objects.values_list("publisher", flat=True)) == {"centre", "institute", "station", "department"}
    assert Ceremony.objects.count() == 3
    assert Pledge.objects.filter(ceremony__isnull=False).exists()
    assert Project.objects.filter(ceremony__isnull=False).exists()
    assert set(Pledge.objects.values_list("state", flat=True)) == {"open", "paid", "withdrawn"}
    assert Project.objects.filter(title_sponsor__isnull=False).exists()
    assert Settlement.objects.exists()
    assert TeamApplication.objects.filter(state="picked").count() == Project.objects.filter(team__isnull=False).count()
    assert Milestone.objects.filter(state="reported").exists()
    assert ProjectActivity.objects.count() == 0  # no volunteering activities in this county
    assert set(Wish.objects.values_list("state", flat=True)) == {s for s, _l in Wish.State.choices}
    assert county["counts"]["teams_created"] == Region.objects.filter(level=Region.Level.TOWN).count()


def test_each_yuan_raised_is_a_payment_and_a_journal_line(county: dict[str, Any]) -> None:
    fund = Fund.objects.get(kind=Fund.Kind.PROJECTS)
    lines: dict[str, Decimal] = defaultdict(Decimal)
    for code, amount in JournalLine.objects.filter(entry__fund=fund).values_list("account__code", "amount"):
        lines[code] += amount
    paid = dict(Payment.objects.values("project_id").annotate(t=Sum("amount")).values_list("project_id", "t"))
    moved_in = dict(
        Settlement.objects.filter(kind="project")
        .values("to_project_id")
        .annotate(t=Sum("amount"))
        .values_list("to_project_id", "t")
    )
    spent = dict(Spending.objects.values("project_id").annotate(t=Sum("amount")).values_list("project_id", "t"))
    settled = dict(Settlement.objects.values("project_id").annotate(t=Sum("amount")).values_list("project_id", "t"))
    for p in Project.objects.all():
        codes = project_codes(p.pk)
        # income lines are credits (negative), spending and settled debits
        assert p.raised == -lines[codes.income] == paid.get(p.pk, ZERO) + moved_in.get(p.pk, ZERO), p.number
        assert p.spent == lines[codes.spending] == spent.get(p.pk, ZERO), p.number
        assert p.settled == lines[codes.settled] == settled.get(p.pk, ZERO), p.number
        assert p.raised == p.spent + p.settled + p.left
        assert p.left >= 0
        if p.state == "closed":
            assert p.left == 0, p.number
        assert p.pledged == sum((pl.amount for pl in p.pledges.exclude(state="withdrawn")), ZERO)
        assert p.pledged <= p.budget
        if p.state in ("claimed", "in_progress", "completed", "accepted", "closed") and not p.close_reason.startswith(
            "长期"
        ):
            assert p.pledged == p.budget, p.number
        if p.state == "draft":
            assert p.raised == 0
            assert p.published_at is None
    for pledge in Pledge.objects.all():
        assert pledge.paid == sum((x.amount for x in pledge.payments.all()), ZERO)
        assert pledge.state != "paid" or pledge.paid == pledge.amount
    # the bank holds exactly what the projects hold
    bank = Account.objects.get(fund=fund, code=BANK).balance
    assert bank == sum((p.left for p in Project.objects.all()), ZERO)
    assert sum(paid.values(), ZERO) > 0


def test_a_left_over_moved_to_a_credit_fund_has_its_transfer_in(county: dict[str, Any]) -> None:
    # (the demo town's closed project moved its left-over to its village's fund yesterday)
    assert Settlement.objects.filter(kind="fund").exists()
    for s in Settlement.objects.filter(kind="fund").select_related("entry_in"):
        assert s.entry_in is not None
        assert s.entry_in.fund_id == s.to_fund_id
        assert JournalLine.objects.get(entry=s.entry_in, account__code=TRANSFER_IN).amount == -s.amount
    for s in Settlement.objects.exclude(kind="fund"):
        assert s.entry_in_id is None


def test_wishes_stay_within_their_ceilings(county: dict[str, Any]) -> None:
    assert Wish.objects.count() > 0
    for w in Wish.objects.all():
        assert Decimal(50) <= w.ceiling <= Decimal(3000)
        if w.state in ("fulfilled", "confirmed"):
            assert w.value is not None
            assert ZERO < w.value <= w.ceiling
        if w.state == "confirmed":
            assert w.confirmed_at is not None
            assert w.claimant_id is not None
            assert w.credit_status in ("created", "capped")
        assert w.claimant_id != w.beneficiary_id


def test_the_books_verify_and_the_credit_has_no_drift(county: dict[str, Any]) -> None:
    call_command("funds", "verify", stdout=io.StringIO())
    call_command("credit", "reconcile", stdout=io.StringIO())
    keys = list(Entry.objects.filter(source=Entry.Source.PROJECTS).values_list("source_key", flat=True))
    assert keys
    assert len(keys) == len(set(keys))
    payment_keys = set(Payment.objects.exclude(credit_key="").values_list("credit_key", flat=True))
    wish_keys = set(Wish.objects.exclude(credit_key="").values_list("credit_key", flat=True))
    assert set(keys) == payment_keys | wish_keys
    assert all(k.startswith("projects:payment:") for k in payment_keys)
    # the sponsors' credit waits for the credit office's review; the wishes' counts at once
    assert set(Payment.objects.exclude(credit_key="").values_list("credit_status", flat=True)) == {"held"}
    assert Entry.objects.filter(source_key__in=payment_keys, status="pending_review").count() == len(payment_keys)


def test_the_credit_and_the_settlements_are_what_the_services_write(county: dict[str, Any]) -> None:
    # then: each sponsor's entry is what ``payment_credit_award`` records for the payment as stored
    credited = Payment.objects.exclude(credit_key="").select_related("pledge", "project")
    assert credited.exists()
    entries = {e.source_key: e for e in Entry.objects.filter(source=Entry.Source.PROJECTS).select_related("rule")}
    for pay in credited:
        e = entries[pay.credit_key]
        assert pay.credit_key == payment_credit_key(pay.pk)
        assert e.evidence == payment_evidence(pay, pay.pledge, pay.project)
        noon = dt.datetime.combine(pay.received_on, dt.time(12), tzinfo=clock.LOCAL_TZ)
        assert (e.occurred_at, e.recorded_at) == (min(noon, pay.recorded_at), pay.recorded_at)
        person = e.subject.kind == Subject.Kind.PERSON
        assert e.rule.code == (PERSON_SPONSOR_RULE if person else ORGANISATION_SPONSOR_RULE)
        assert e.department is not None
        assert (e.department.code, e.points, pay.credit_status) == (CREDIT_DEPARTMENT, pay.credit_points, "held")
    # and each claimant's is what ``wish_credit_award`` records
    for w in Wish.objects.exclude(credit_key=""):
        e = entries[w.credit_key]
        assert w.confirmed_at is not None
        on = w.confirmed_at.astimezone(clock.LOCAL_TZ).date()
        assert e.evidence == f"认领并实现微心愿{w.number}「{w.title}」，价值{w.value}元，{on:%Y-%m-%d}经受助人确认收到"
        assert (e.occurred_at, e.recorded_at, e.points) == (w.confirmed_at, w.confirmed_at, w.credit_points)
        assert e.rule.code in (PERSON_WISH_RULE, ORGANISATION_WISH_RULE)
    # and each settlement's entries are of the kinds, with the memos, ``settlement_record`` posts
    for st in Settlement.objects.select_related("entry", "entry_in", "project", "to_project", "to_fund", "pledge"):
        assert st.entry.kind == JournalEntry.Kind.SETTLEMENT
        target = {
            "return": st.pledge.sponsor_name if st.pledge else "",
            "project": st.to_project.number if st.to_project else "",
            "fund": st.to_fund.name if st.to_fund else "",
        }[st.kind]
        verb = "退还" if st.kind == "return" else "转入"
        assert st.entry.memo == f"{st.project.number}结余{verb}{target}：{st.note}"[:200]
        if st.entry_in is not None:
            assert st.entry_in.kind == JournalEntry.Kind.TRANSFER_IN
            assert st.entry_in.memo == f"{st.entry.fund.name}·{st.project.number}结余转入：{st.note}"[:200]


def test_the_same_seed_gives_the_same_marketplace(county: dict[str, Any]) -> None:
    # when: the marketplace is planned again, twice for the module's seed and moment, once for another seed
    first, second, other = _plan(SEED), _plan(SEED), _plan(SEED + 1)
    # then: the same plans, and the ones written; another seed plans another marketplace
    assert first == second
    assert other != first
    written = list(Project.objects.order_by("number").values_list("number", "state", "budget", "pledged"))
    assert [(n, s, b, pl) for n, s, b, pl, _paid in first] == written
    assert sum((pd for *_x, pd in first), ZERO) == Payment.objects.aggregate(t=Sum("amount"))["t"]


def test_the_demo_town_has_every_state_and_the_demo_accounts_their_part(county: dict[str, Any]) -> None:
    # given: the subjects ``rongxin demo`` links to its resident and enterprise accounts
    town = Region.objects.filter(level=Region.Level.TOWN).order_by("code").first()
    assert town is not None
    village = Region.objects.filter(parent=town).order_by("code").first()
    assert village is not None
    resident = _resident_subject(village)
    enterprise = Subject.objects.filter(town=town, kind=Subject.Kind.ENTERPRISE).order_by("id").first()
    assert resident is not None
    assert enterprise is not None
    # then: the town has a project in each state, some title-sponsored by the demo enterprise
    in_town = Project.objects.filter(Q(region=town) | Q(region__parent=town))
    assert set(in_town.values_list("state", flat=True)) == {s for s, _l in Project.State.choices}
    sponsored = Project.objects.filter(title_sponsor=enterprise)
    assert {"in_progress", "closed"} <= set(sponsored.values_list("state", flat=True))
    assert all(p.title_name.startswith(enterprise.name) for p in sponsored)
    # and the resident posted a wish still waiting and fulfilled another, confirmed and credited
    assert list(Wish.objects.filter(beneficiary=resident).values_list("state", flat=True)) == ["open"]
    fulfilled = Wish.objects.get(claimant=resident)
    assert (fulfilled.state, fulfilled.credit_status) == ("confirmed", "created")
    assert Entry.objects.filter(subject=resident, source_key=fulfilled.credit_key, points=2).exists()
    # and this year's ceremony launched its batch
    assert Ceremony.objects.get(year=TODAY.year).launched_at is not None


def test_a_second_load_is_refused(county: dict[str, Any]) -> None:
    with pytest.raises(ProjectsRefused):
        generate_projects(seed=SEED, now=NOW, scale=SCALE)


def _plan(seed: int) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
    gen = ProjectsGenerator(seed=seed, now=NOW, scale=SCALE)
    gen._places()
    gen._teams()
    gen.ceremonies = {c.year: c for c in Ceremony.objects.all()}
    gen._plan()
    return sorted((p.number, p.state, p.budget, p.pledged, p.paid) for p in gen.plans)
