"""Pledges (认领): shares and title sponsorship, what is still needed, the ceremony, withdrawing,
who may, and nothing half-saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.projects.models import Ceremony, Pledge, Project
from rongxin.projects.services.pledges import pledge_create, pledge_withdraw
from rongxin.projects.tests.helpers import MarketWorld
from rongxin.projects.tests.sponsor_helpers import money_state, pay, pledge

pytestmark = pytest.mark.django_db


def test_a_share_is_pledged_and_the_project_stays_open(world: MarketWorld) -> None:
    # given
    project = world.project()
    # when
    r = pledge(world, project, "3000")
    # then
    p = r.pledge
    project.refresh_from_db()
    assert r.created is True
    assert (p.sponsor_id, p.sponsor_name, p.amount, p.paid, p.state, p.title, p.anonymous, p.ceremony_id) == (
        world.firm.pk, "荣信海洋食品有限公司", Decimal("3000.00"), Decimal("0.00"), "open", False, False, None,
    )  # fmt: skip
    assert len(p.certificate_code) == 16
    assert (project.state, project.pledged, project.claimed_at, project.title_name) == (
        "published", Decimal("3000.00"), None, "",
    )  # fmt: skip
    event = AuditEvent.objects.get(action="pledge.create")
    assert (event.actor_id, event.object_id, event.subject_id, event.actor_role) == (
        world.firm_rep.pk, str(p.pk), world.firm.pk, "enterprise_rep",
    )  # fmt: skip


def test_the_last_share_claims_the_project(world: MarketWorld) -> None:
    # given
    project = world.project()
    pledge(world, project, "6000")
    # when
    pledge(world, project, "4000", actor=world.resident, sponsor=world.resident_subject)
    # then
    project.refresh_from_db()
    assert (project.state, project.pledged) == ("claimed", Decimal("10000.00"))
    assert project.claimed_at is not None


def test_pledging_more_than_still_needed_is_refused_and_nothing_saved(world: MarketWorld) -> None:
    # given
    project = world.project()
    pledge(world, project, "7000")
    before = money_state(project)
    # when
    with pytest.raises(InvalidInput) as caught:
        pledge(world, project, "3000.01", actor=world.resident, sponsor=world.resident_subject)
    # then
    assert str(caught.value.message) == "该项目还需 ¥3,000.00，认捐金额不能超过此数。"
    assert caught.value.errors[0]["field"] == "amount"
    assert money_state(project) == before
    assert AuditEvent.objects.filter(action="pledge.create").count() == 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [("0", "not_positive"), ("-5", "not_positive"), ("12.345", "too_many_decimals"), ("１２\x00", None), ("", None)],
)
def test_a_bad_amount_is_refused(world: MarketWorld, raw: str, code: str | None) -> None:
    project = world.project()
    before = money_state(project)
    with pytest.raises(InvalidInput) as caught:
        pledge(world, project, raw)
    if code is not None:
        assert caught.value.code == code
    assert caught.value.errors[0]["field"] == "amount"
    assert money_state(project) == before


def test_full_width_digits_are_read_as_yuan(world: MarketWorld) -> None:
    project = world.project()
    r = pledge(world, project, "２５００．５０")
    assert r.pledge.amount == Decimal("2500.50")


def test_a_title_sponsor_names_the_project(world: MarketWorld) -> None:
    # given
    project = world.project()
    # when
    r = pledge(world, project, "10000", title=True)
    # then
    project.refresh_from_db()
    assert r.pledge.title is True
    assert (project.state, project.title_sponsor_id, project.title_name, project.shown_title) == (
        "claimed", world.firm.pk, "荣信海洋食品有限公司·夕阳红助浴", "荣信海洋食品有限公司·夕阳红助浴",
    )  # fmt: skip


def test_a_title_sponsorship_is_for_the_whole_budget(world: MarketWorld) -> None:
    project = world.project()
    before = money_state(project)
    with pytest.raises(InvalidInput) as caught:
        pledge(world, project, "9000", title=True)
    assert caught.value.code == "title_whole_budget"
    assert str(caught.value.message) == "冠名认领须认捐项目全部预算 ¥10,000.00。"
    assert money_state(project) == before


def test_no_title_sponsorship_beside_other_pledges(world: MarketWorld) -> None:
    project = world.project(budget=Decimal("10000.00"))
    pledge(world, project, "1000", actor=world.resident, sponsor=world.resident_subject)
    before = money_state(project)
    with pytest.raises(Conflict) as caught:
        pledge(world, project, "9000", title=True)
    assert caught.value.code == "title_taken"
    assert money_state(project) == before


def test_a_title_sponsor_cannot_stay_anonymous(world: MarketWorld) -> None:
    project = world.project()
    with pytest.raises(InvalidInput) as caught:
        pledge(world, project, "10000", title=True, anonymous=True)
    assert caught.value.code == "title_anonymous"
    assert Pledge.objects.count() == 0


def test_the_same_pledge_twice_within_two_minutes_is_one(world: MarketWorld, frozen: Any) -> None:
    # given
    project = world.project()
    first = pledge(world, project, "2000")
    frozen.shift(dt.timedelta(seconds=90))
    # when
    again = pledge(world, project, "2000")
    # then
    assert (again.created, again.pledge.pk) == (False, first.pledge.pk)
    project.refresh_from_db()
    assert project.pledged == Decimal("2000.00")
    frozen.shift(dt.timedelta(seconds=60))
    later = pledge(world, project, "2000")
    assert later.created is True
    assert Pledge.objects.count() == 2


@pytest.mark.parametrize("state", ["draft", "claimed", "in_progress", "completed", "accepted", "closed"])
def test_only_a_published_project_takes_pledges(world: MarketWorld, state: str) -> None:
    project = world.project(state=state, pledged=Decimal("0.00"))
    before = money_state(project)
    with pytest.raises((Conflict, NotFound)) as caught:
        pledge(world, project, "100")
    if state == "draft":
        assert isinstance(caught.value, NotFound)  # a draft is not the sponsor's to see
    else:
        assert caught.value.code == "not_now"
        assert str(caught.value.message) == "该项目现在不接受认领。"
    assert money_state(project) == before


def test_a_pledge_during_the_ceremony_belongs_to_it(world: MarketWorld) -> None:
    # given
    from rongxin.core import clock

    now = clock.now()
    live = Ceremony.objects.create(
        year=2026, title="2026年公益典礼", venue="县文化中心", starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2), created_at=now,
    )  # fmt: skip
    over = Ceremony.objects.create(
        year=2025, title="2025年公益典礼", venue="县文化中心", starts_at=now - dt.timedelta(days=300),
        ends_at=now - dt.timedelta(days=299), created_at=now,
    )  # fmt: skip
    at_live = world.project(ceremony=live)
    at_over = world.project(ceremony=over)
    # when
    a = pledge(world, at_live, "100").pledge
    b = pledge(world, at_over, "100").pledge
    # then
    assert (a.ceremony_id, b.ceremony_id) == (live.pk, None)


def test_the_centre_records_a_paper_pledge_for_any_file(world: MarketWorld) -> None:
    project = world.project()
    r = pledge(world, project, "500", actor=world.centre, sponsor=world.neighbour_subject)
    assert (r.pledge.sponsor_id, r.pledge.pledged_by_id, r.pledge.sponsor_name) == (
        world.neighbour_subject.pk, world.centre.pk, "王五",
    )  # fmt: skip
    assert AuditEvent.objects.get(action="pledge.create").actor_role == "department_recorder"


def test_the_centre_must_choose_a_file(world: MarketWorld) -> None:
    project = world.project()
    with pytest.raises(InvalidInput) as caught:
        pledge_create(
            actor=world.centre, project_id=project.pk, sponsor_subject_id="12abc", amount="100",
            title=False, anonymous=False,
        )  # fmt: skip
    assert caught.value.errors[0]["field"] == "sponsor_subject_id"
    assert Pledge.objects.count() == 0


PLEDGERS = {
    "anonymous": False, "nobody": False, "auditor": False, "centre": True, "town_a": False, "town_b": False,
    "village_a1": False, "village_b1": False, "traffic_rec": False, "firm_rep": True, "resident": False,
    "leader": False, "leader_b": False,
}  # fmt: skip


@pytest.mark.parametrize(("who", "allowed"), sorted(PLEDGERS.items()))
def test_who_may_pledge_for_the_firm(world: MarketWorld, who: str, allowed: bool) -> None:
    # given
    project = world.project()
    before = money_state(project)
    actor = world.users()[who]
    # when / then
    if allowed:
        pledge_create(
            actor=actor, project_id=project.pk, sponsor_subject_id=world.firm.pk, amount="100",  # type: ignore[arg-type]
            title=False, anonymous=False,
        )  # fmt: skip
        assert Pledge.objects.get().sponsor_id == world.firm.pk
    else:
        with pytest.raises(NotFound):
            pledge_create(
                actor=actor, project_id=project.pk, sponsor_subject_id=world.firm.pk, amount="not checked",  # type: ignore[arg-type]
                title=False, anonymous=False,
            )  # fmt: skip
        assert money_state(project) == before


def test_withdrawing_reopens_a_claimed_project(world: MarketWorld) -> None:
    # given
    project = world.project()
    keep = pledge(world, project, "4000", actor=world.resident, sponsor=world.resident_subject).pledge
    share = pledge(world, project, "6000").pledge
    # when
    out = pledge_withdraw(actor=world.firm_rep, pledge_id=share.pk, reason="公司预算调整")
    # then
    project.refresh_from_db()
    assert (out.state, out.withdraw_reason) == ("withdrawn", "公司预算调整")
    assert (project.state, project.pledged, project.claimed_at) == ("published", Decimal("4000.00"), None)
    assert Pledge.objects.get(pk=keep.pk).state == "open"
    assert AuditEvent.objects.filter(action="pledge.withdraw", object_id=str(share.pk)).count() == 1


def test_withdrawing_a_title_pledge_clears_the_name(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "10000", title=True).pledge
    pledge_withdraw(actor=world.town_a, pledge_id=p.pk, reason="企业未能按期到账")
    project.refresh_from_db()
    assert (project.state, project.pledged, project.title_sponsor_id, project.title_name) == (
        "published", Decimal("0.00"), None, "",
    )  # fmt: skip
    again = pledge(world, project, "10000", title=True, actor=world.other_rep, sponsor=world.other_firm)
    project.refresh_from_db()
    assert (again.pledge.title, project.title_name) == (True, "石岛渔具商行·夕阳红助浴")


def test_a_paid_pledge_cannot_be_withdrawn(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    pay(world, p, "100")
    before = money_state(project)
    with pytest.raises(Conflict) as caught:
        pledge_withdraw(actor=world.firm_rep, pledge_id=p.pk, reason="不想捐了")
    assert caught.value.code == "pledge_paid"
    assert money_state(project) == before


def test_a_pledge_is_withdrawn_once(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    pledge_withdraw(actor=world.firm_rep, pledge_id=p.pk, reason="重复认领")
    with pytest.raises(Conflict) as caught:
        pledge_withdraw(actor=world.firm_rep, pledge_id=p.pk, reason="重复认领")
    assert caught.value.code == "already_withdrawn"
    assert Project.objects.get(pk=project.pk).pledged == Decimal("0.00")


def test_a_reason_with_control_characters_is_refused(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    with pytest.raises(InvalidInput) as caught:
        pledge_withdraw(actor=world.firm_rep, pledge_id=p.pk, reason="原因\x07")
    assert caught.value.errors[0]["field"] == "reason"
    assert Pledge.objects.get(pk=p.pk).state == "open"


WITHDRAWERS = {
    "anonymous": False, "nobody": False, "auditor": False, "centre": True, "town_a": True, "town_b": False,
    "village_a1": False, "village_b1": False, "traffic_rec": False, "firm_rep": True, "resident": False,
    "leader": False, "leader_b": False,
}  # fmt: skip


@pytest.mark.parametrize(("who", "allowed"), sorted(WITHDRAWERS.items()))
def test_who_may_withdraw_the_firms_pledge(world: MarketWorld, who: str, allowed: bool) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    before = money_state(project)
    actor = world.users()[who]
    if allowed:
        pledge_withdraw(actor=actor, pledge_id=p.pk, reason="调整")  # type: ignore[arg-type]
        assert Pledge.objects.get(pk=p.pk).state == "withdrawn"
    else:
        with pytest.raises(NotFound):
            pledge_withdraw(actor=actor, pledge_id=p.pk, reason="\x00")  # type: ignore[arg-type]
        assert money_state(project) == before
