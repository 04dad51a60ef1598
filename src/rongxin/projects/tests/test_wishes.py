"""Small wishes through the services: post, claim, give up, deliver, confirm (credit once),
withdraw; the ceiling, the cap per resident, double submits, bad text; who may do what (a denied
call changes nothing); the full record's audit; the public list and the figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.utils import translation

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.conftest import link, make_person, make_user
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.projects.models import Wish
from rongxin.projects.selectors.wishes import wish_board, wish_figures, wish_public, wish_record, wishes_mine
from rongxin.projects.services.wishes import (
    wish_claim,
    wish_confirm,
    wish_credit_award,
    wish_fulfil,
    wish_post,
    wish_release,
    wish_withdraw,
)
from rongxin.projects.tests.helpers import MarketWorld

pytestmark = pytest.mark.django_db


def post(world: MarketWorld, **fields: Any) -> Wish:
    """A wish of 李四 (the resident, village A1), ceiling ¥300, posted by themselves."""
    actor = fields.pop("actor", world.resident)
    values: dict[str, Any] = {
        "title": "一个新书包",
        "story": "孙子今年上小学，想要一个新书包。",
        "category": Wish.Category.STUDY,
        "ceiling": "300",
    }
    values.update(fields)
    return wish_post(actor=actor, **values).wish


def claimed(world: MarketWorld, *, anonymous: bool = False) -> Wish:
    wish = post(world)
    return wish_claim(actor=world.firm_rep, wish_id=wish.pk, claimant_subject_id=world.firm.pk, anonymous=anonymous)


def fulfilled(world: MarketWorld) -> Wish:
    wish = claimed(world)
    return wish_fulfil(actor=world.firm_rep, wish_id=wish.pk, value="280.50", note="书包一个、文具一套")


def actions(prefix: str = "wish.") -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("id").values_list("action", flat=True))


def snapshot(wish: Wish) -> dict[str, Any]:
    return Wish.objects.filter(pk=wish.pk).values().get()


def person_user(world: MarketWorld, username: str, *, consent: bool) -> tuple[User, Any]:
    user = make_user(username, Role.RESIDENT, world.tree.village_a2)
    person = make_person(world.tree.village_a2, name="赵六", consent=consent)
    link(user, person.subject)
    return user, person.subject


# --- Post -------------------------------------------------------------------------------------------
def test_a_resident_posts_a_wish_for_themselves(world: MarketWorld) -> None:
    # when
    result = wish_post(
        actor=world.resident, title=" 一个新书包 ", story="孙子上学用。", category="study", ceiling="３００.５０"
    )
    # then
    wish = Wish.objects.get()
    assert result.created is True
    assert (wish.number, wish.region_id, wish.beneficiary_id, wish.state) == (
        "XY2026-0001",
        world.tree.village_a1.pk,
        world.resident_subject.pk,
        "open",
    )
    assert (wish.title, wish.ceiling, wish.posted_by_id) == ("一个新书包", Decimal("300.50"), world.resident.pk)
    event = AuditEvent.objects.get(action="wish.post")
    assert (event.actor_role, event.object_id, event.subject_id) == ("resident", str(wish.pk), wish.beneficiary_id)


def test_a_village_officer_posts_for_a_resident_of_the_village(world: MarketWorld) -> None:
    wish = post(world, actor=world.village_a1, beneficiary_subject_id=world.resident_subject.pk)
    assert (wish.beneficiary_id, wish.region_id, wish.posted_by_id) == (
        world.resident_subject.pk,
        world.tree.village_a1.pk,
        world.village_a1.pk,
    )
    assert AuditEvent.objects.get(action="wish.post").actor_role == "village_officer"


@pytest.mark.parametrize("who", ["village_b1", "town_a", "nobody", "anonymous", "firm_rep", "neighbour"])
def test_only_the_villages_officer_posts_for_a_resident(world: MarketWorld, who: str) -> None:
    actor = world.neighbour if who == "neighbour" else world.users()[who]
    with pytest.raises(NotFound):
        post(world, actor=actor, beneficiary_subject_id=world.resident_subject.pk)
    assert (Wish.objects.count(), actions()) == (0, [])


def test_permission_matrix_of_posting_for_oneself(world: MarketWorld) -> None:
    outcomes: dict[str, str] = {}
    for who, actor in world.users().items():
        try:
            post(world, actor=actor, title=f"心愿{who}")
            outcomes[who] = "posted"
        except NotFound:
            outcomes[who] = "not_found"
    assert {w for w, o in outcomes.items() if o == "posted"} == {"resident"}
    assert Wish.objects.count() == 1
    assert actions() == ["wish.post"]


def test_a_ceiling_over_the_county_limit_is_refused_in_chinese_and_nothing_saved(world: MarketWorld) -> None:
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        post(world, ceiling="3000.01")
    assert caught.value.errors[0]["field"] == "ceiling"
    assert str(caught.value.errors[0]["message"]) == "微心愿价值上限为 ¥3,000.00"
    assert (Wish.objects.count(), actions()) == (0, [])


@pytest.mark.parametrize("ceiling", ["0", "-5", "12.345", "٣٠٠", "", "1e3", 12.5])
def test_bad_ceilings_are_refused(world: MarketWorld, ceiling: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        post(world, ceiling=ceiling)
    assert (caught.value.errors[0]["field"], Wish.objects.count()) == ("ceiling", 0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "书包\x07"}, "title"),
        ({"story": "想要\x00书包"}, "story"),
        ({"story": "   "}, "story"),
        ({"title": "一\n二"}, "title"),
        ({"category": "money"}, "category"),
        ({"story": "请打电话 139 1234 5678 联系我"}, "story"),
        ({"title": "书包371082194703150016"}, "title"),
    ],
)
def test_bad_text_is_refused_and_nothing_saved(world: MarketWorld, fields: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        post(world, **fields)
    assert caught.value.errors[0]["field"] == field
    assert (Wish.objects.count(), actions()) == (0, [])


def test_the_same_wish_twice_within_two_minutes_is_one(world: MarketWorld, frozen: Any) -> None:
    first = wish_post(actor=world.resident, title="书包", story="上学用", category="study", ceiling="100")
    again = wish_post(actor=world.resident, title="书包", story="上学用", category="study", ceiling="100.00")
    frozen.shift(dt.timedelta(minutes=3))
    later = wish_post(actor=world.resident, title="书包", story="上学用", category="study", ceiling="100")
    assert (again.created, again.wish.pk) == (False, first.wish.pk)
    assert (later.created, later.wish.number) == (True, "XY2026-0002")
    assert actions() == ["wish.post", "wish.post"]


def test_a_resident_has_at_most_three_live_wishes(world: MarketWorld) -> None:
    wishes = [post(world, title=f"心愿{i}") for i in range(3)]
    with pytest.raises(Conflict) as caught:
        post(world, title="第四个")
    assert (caught.value.code, Wish.objects.count()) == ("too_many_wishes", 3)
    wish_withdraw(actor=world.resident, wish_id=wishes[0].pk, reason="已经有人送了")
    assert post(world, title="第四个").number == "XY2026-0004"


# --- Claim, give up, deliver ----------------------------------------------------------------------------
def test_an_enterprise_claims_and_the_public_sees_it_anonymous(world: MarketWorld) -> None:
    wish = claimed(world, anonymous=True)
    assert (wish.state, wish.claimant_id, wish.claimant_name, wish.claimed_by_id) == (
        "claimed",
        world.firm.pk,
        "荣信海洋食品有限公司",
        world.firm_rep.pk,
    )
    with translation.override("zh-hans"):
        assert wish_public(actor=None, wish_id=wish.pk).claimant == "爱心人士（匿名）"
    event = AuditEvent.objects.get(action="wish.claim")
    assert (event.actor_role, event.subject_id) == ("enterprise_rep", world.firm.pk)


def test_a_second_claim_is_refused(world: MarketWorld) -> None:
    wish = claimed(world)
    before = snapshot(wish)
    with translation.override("zh-hans"), pytest.raises(Conflict) as caught:
        wish_claim(actor=world.other_rep, wish_id=wish.pk, claimant_subject_id=world.other_firm.pk, anonymous=False)
    assert (caught.value.code, str(caught.value.message)) == ("claimed", "该心愿已被认领")
    assert snapshot(wish) == before


def test_nobody_claims_their_own_wish(world: MarketWorld) -> None:
    wish = post(world)
    before = snapshot(wish)
    with pytest.raises(Conflict) as caught:
        wish_claim(
            actor=world.resident, wish_id=wish.pk, claimant_subject_id=world.resident_subject.pk, anonymous=False
        )
    assert caught.value.code == "own_wish"
    assert (snapshot(wish), actions()) == (before, ["wish.post"])


def test_claim_permission_matrix(world: MarketWorld) -> None:
    wish = post(world)
    before = snapshot(wish)
    for who, actor in world.users().items():
        if who == "firm_rep":
            continue
        with pytest.raises(NotFound):
            wish_claim(actor=actor, wish_id=wish.pk, claimant_subject_id=world.firm.pk, anonymous=False)
    assert snapshot(wish) == before
    wish_claim(actor=world.firm_rep, wish_id=wish.pk, claimant_subject_id=world.firm.pk, anonymous=False)
    assert actions() == ["wish.post", "wish.claim"]


def test_the_claimant_gives_up_and_the_wish_is_open_again(world: MarketWorld) -> None:
    wish = claimed(world, anonymous=True)
    wish = wish_release(actor=world.firm_rep, wish_id=wish.pk)
    assert (wish.state, wish.claimant_id, wish.claimant_name, wish.claimant_anonymous, wish.claimed_at) == (
        "open",
        None,
        "",
        False,
        None,
    )
    assert actions() == ["wish.post", "wish.claim", "wish.release"]


@pytest.mark.parametrize("step", ["release", "fulfil"])
def test_only_the_claimants_speaker_gives_up_or_delivers(world: MarketWorld, step: str) -> None:
    wish = claimed(world)
    before = snapshot(wish)
    for who, actor in world.users().items():
        if who == "firm_rep":
            continue
        call = (
            partial(wish_release, actor=actor, wish_id=wish.pk)
            if step == "release"
            else partial(wish_fulfil, actor=actor, wish_id=wish.pk, value="100", note="书包")
        )
        with pytest.raises(NotFound):
            call()
    assert (snapshot(wish), actions()) == (before, ["wish.post", "wish.claim"])


def test_delivering_over_the_ceiling_is_refused_in_chinese(world: MarketWorld) -> None:
    wish = claimed(world)
    before = snapshot(wish)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        wish_fulfil(actor=world.firm_rep, wish_id=wish.pk, value="300.01", note="书包")
    assert caught.value.errors[0]["field"] == "value"
    assert str(caught.value.errors[0]["message"]) == "实现价值不能超过心愿上限 ¥300.00"
    assert (snapshot(wish), actions()) == (before, ["wish.post", "wish.claim"])


def test_delivering_records_the_value_and_what_was_given(world: MarketWorld) -> None:
    wish = fulfilled(world)
    assert (wish.state, wish.value, wish.fulfil_note) == ("fulfilled", Decimal("280.50"), "书包一个、文具一套")
    with pytest.raises(Conflict) as caught:
        wish_release(actor=world.firm_rep, wish_id=wish.pk)
    assert caught.value.code == "not_claimed"


# --- Confirm and credit -----------------------------------------------------------------------------------
def test_confirming_credits_the_enterprise_once(world: MarketWorld) -> None:
    wish = fulfilled(world)
    result = wish_confirm(actor=world.resident, wish_id=wish.pk, thanks="谢谢你们")
    wish = result.wish
    entry = Entry.objects.get(source="projects")
    assert (entry.subject_id, entry.points, entry.source_key) == (world.firm.pk, 2, f"projects:wish:{wish.pk}")
    assert (wish.state, wish.thanks, wish.credit_key, wish.credit_points, wish.credit_status) == (
        "confirmed",
        "谢谢你们",
        f"projects:wish:{wish.pk}",
        2,
        "created",
    )
    # a retried award and a second confirmation add nothing
    wish_credit_award(actor=world.resident, wish=Wish.objects.get(pk=wish.pk))
    again = wish_confirm(actor=world.village_a1, wish_id=wish.pk, thanks="")
    assert again.confirmed is False
    assert Entry.objects.filter(source="projects").count() == 1
    assert Wish.objects.filter(pk=wish.pk).values_list("credit_status", "credit_points").get() == ("created", 2)
    assert actions() == ["wish.post", "wish.claim", "wish.fulfil", "wish.confirm"]


def test_a_person_without_consent_earns_no_credit(world: MarketWorld) -> None:
    user, subject = person_user(world, "zhao", consent=False)
    wish = post(world)
    wish_claim(actor=user, wish_id=wish.pk, claimant_subject_id=subject.pk, anonymous=False)
    wish_fulfil(actor=user, wish_id=wish.pk, value="50", note="文具")
    wish = wish_confirm(actor=world.village_a1, wish_id=wish.pk).wish
    assert (wish.credit_status, wish.credit_points, wish.credit_key) == ("no_consent", 0, "")
    assert Entry.objects.filter(subject_id=subject.pk).count() == 0


def test_a_person_with_consent_earns_the_person_rule(world: MarketWorld) -> None:
    user, subject = person_user(world, "zhao", consent=True)
    wish = post(world)
    wish_claim(actor=user, wish_id=wish.pk, claimant_subject_id=subject.pk, anonymous=False)
    wish_fulfil(actor=user, wish_id=wish.pk, value="50", note="文具")
    wish = wish_confirm(actor=world.resident, wish_id=wish.pk).wish
    entry = Entry.objects.get(subject_id=subject.pk)
    assert (entry.rule.code, entry.points, wish.credit_status) == ("P-WSH-01", 2, "created")


def test_confirm_before_delivery_is_refused(world: MarketWorld) -> None:
    wish = claimed(world)
    with pytest.raises(Conflict) as caught:
        wish_confirm(actor=world.resident, wish_id=wish.pk)
    assert caught.value.code == "not_fulfilled"


@pytest.mark.parametrize("step", ["confirm", "withdraw"])
def test_only_the_resident_or_the_villages_officer_confirm_or_withdraw(world: MarketWorld, step: str) -> None:
    wish = fulfilled(world) if step == "confirm" else claimed(world)
    before = snapshot(wish)
    denied = {who for who in world.users() if who not in {"resident", "village_a1"}}
    for who in sorted(denied):
        actor = world.users()[who]
        call = (
            partial(wish_confirm, actor=actor, wish_id=wish.pk, thanks="谢谢")
            if step == "confirm"
            else partial(wish_withdraw, actor=actor, wish_id=wish.pk, reason="不需要了")
        )
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotFound):
        wish_withdraw(actor=world.neighbour, wish_id=wish.pk, reason="不需要了")
    assert snapshot(wish) == before
    assert Entry.objects.filter(source="projects").count() == 0


def test_withdrawing_a_claimed_wish_and_not_a_delivered_one(world: MarketWorld) -> None:
    wish = claimed(world)
    wish = wish_withdraw(actor=world.village_a1, wish_id=wish.pk, reason="老人已搬去城里")
    assert (wish.state, wish.withdraw_reason) == ("withdrawn", "老人已搬去城里")
    other = fulfilled(world)
    with pytest.raises(Conflict) as caught:
        wish_withdraw(actor=world.resident, wish_id=other.pk, reason="不要了")
    assert caught.value.code == "not_live"
    # a withdrawn wish is hidden from the public, not from its resident
    with pytest.raises(NotFound):
        wish_public(actor=None, wish_id=wish.pk)
    assert wish_public(actor=world.resident, wish_id=wish.pk).state == "withdrawn"


# --- Reads -------------------------------------------------------------------------------------------
def test_the_full_record_is_audited_for_staff_only(world: MarketWorld) -> None:
    wish = claimed(world)
    assert wish_record(actor=world.resident, wish_id=wish.pk).beneficiary_name == "李四"
    assert wish_record(actor=world.firm_rep, wish_id=wish.pk).beneficiary_name == "李四"
    assert actions("wish.read") == []
    assert wish_record(actor=world.town_a, wish_id=wish.pk).beneficiary_name == "李四"
    event = AuditEvent.objects.get(action="wish.read")
    assert (event.actor_id, event.actor_role, event.subject_id) == (
        world.town_a.pk,
        "town_officer",
        wish.beneficiary_id,
    )
    for who in ["anonymous", "nobody", "town_b", "village_b1", "centre", "leader"]:
        with pytest.raises(NotFound):
            wish_record(actor=world.users()[who], wish_id=wish.pk)


def test_the_public_list_filters_and_pages_in_two_queries(world: MarketWorld, django_assert_num_queries: Any) -> None:
    mine = post(world, title="书包", category="study")
    post(world, title="轮椅", category="health")
    post(world, actor=world.neighbour, title="棉被", category="daily")
    wish_claim(actor=world.firm_rep, wish_id=mine.pk, claimant_subject_id=world.firm.pk, anonymous=False)
    with django_assert_num_queries(2):
        board = wish_board()
    assert [w.title for w in board.rows] == ["棉被", "轮椅", "书包"]
    assert [w.beneficiary for w in board.rows] == ["王*", "李*", "李*"]
    assert [w.title for w in wish_board(town_id=world.tree.town_a.pk).rows] == ["轮椅", "书包"]
    assert [w.title for w in wish_board(village_id=world.tree.village_b1.pk).rows] == ["棉被"]
    assert [w.title for w in wish_board(category="health").rows] == ["轮椅"]
    assert [w.title for w in wish_board(state="claimed").rows] == ["书包"]
    assert wish_board(state="nonsense").total == 0
    assert (wish_board(page=2, per_page=2).total, [w.title for w in wish_board(page=2, per_page=2).rows]) == (
        3,
        ["书包"],
    )


def test_mine_lists_own_claimed_and_village(world: MarketWorld) -> None:
    wish = claimed(world)
    assert [w.pk for w in wishes_mine(actor=world.resident).own] == [wish.pk]
    assert [w.pk for w in wishes_mine(actor=world.firm_rep).claimed] == [wish.pk]
    assert [w.pk for w in wishes_mine(actor=world.village_a1).village] == [wish.pk]
    assert wishes_mine(actor=world.village_b1).village == []
    for who in ["anonymous", "nobody", "auditor"]:
        with pytest.raises(NotFound):
            wishes_mine(actor=world.users()[who])


def test_figures_count_per_year_and_town(world: MarketWorld) -> None:
    fulfilled(world)
    wish_confirm(actor=world.resident, wish_id=Wish.objects.get().pk)
    claimed_one = post(world, title="轮椅")
    wish_claim(actor=world.firm_rep, wish_id=claimed_one.pk, claimant_subject_id=world.firm.pk, anonymous=False)
    post(world, actor=world.neighbour, title="棉被")
    rows = [(r.year, r.town, r.posted, r.claimed, r.confirmed, r.value) for r in wish_figures(year=2026)]
    assert rows == [
        (2026, "崖头街道", 2, 2, 1, Decimal("280.50")),
        (2026, "俚岛镇", 1, 0, 0, Decimal("0.00")),
    ]
    assert wish_figures(year=2025) == []
