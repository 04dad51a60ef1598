"""The publisher's services: a draft is created for a seat within its region, checked field by
field in Chinese, changed while a draft, published, withdrawn with its open pledges, and given
milestones; each write with its audit row, each refusal leaving nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.models import Account
from rongxin.projects.models import Milestone, Pledge, Project
from rongxin.projects.permissions.common import publisher_seats
from rongxin.projects.services.projects import (
    milestone_plan,
    project_create,
    project_publish,
    project_update,
    project_withdraw,
    seat_key,
)
from rongxin.projects.tests.helpers import MarketWorld
from rongxin.projects.tests.publish_helpers import facts, pledge, snapshot

pytestmark = pytest.mark.django_db


def _refused(call: Any, **kwargs: Any) -> InvalidInput:
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        call(**kwargs)
    assert snapshot() == before
    return caught.value


# --- Create ------------------------------------------------------------------------------------
def test_a_town_officer_creates_a_numbered_draft_with_its_accounts(world: MarketWorld) -> None:
    # when
    project = project_create(actor=world.town_a, **facts(world))
    # then
    project.refresh_from_db()
    assert (project.number, project.state, project.budget) == ("XM2026-0001", "draft", Decimal("12000.00"))
    assert (project.publisher, project.publisher_region_id, project.publisher_department_id) == (
        "institute",
        world.tree.town_a.pk,
        None,
    )
    assert (project.region_id, project.beneficiary_count, project.created_by_id) == (
        world.tree.village_a1.pk,
        12,
        world.town_a.pk,
    )
    codes = sorted(Account.objects.filter(fund=world.fund, code__regex=r"^(41|53|54)").values_list("code", flat=True))
    assert codes == [f"41{project.pk:06d}", f"53{project.pk:06d}", f"54{project.pk:06d}"]
    event = AuditEvent.objects.get(action="project.create")
    assert (event.actor_id, event.actor_role, event.object_id) == (world.town_a.pk, "town_officer", str(project.pk))
    assert event.details == {
        "number": "XM2026-0001",
        "publisher": "institute",
        "publisher_region": world.tree.town_a.code,
        "region": world.tree.village_a1.code,
        "budget": "12000.00",
    }


@pytest.mark.parametrize(
    ("who", "region", "publisher"),
    [
        ("centre", "village_b1", "centre"),
        ("traffic_rec", "village_b2", "department"),
        ("town_a", "town_a", "institute"),
        ("village_a1", "village_a1", "station"),
    ],
)
def test_each_seat_publishes_as_itself(world: MarketWorld, who: str, region: str, publisher: str) -> None:
    # given
    actor = world.users()[who]
    assert actor is not None
    # when
    project = project_create(actor=actor, **facts(world, region_code=getattr(world.tree, region).code))
    # then
    assert project.publisher == publisher
    expected_department = publisher_seats(actor)[0].department_id
    assert project.publisher_department_id == expected_department
    assert (publisher == "department") == (expected_department is not None)


@pytest.mark.parametrize(
    ("who", "region", "scope"),
    [
        ("village_a1", "village_a2", "东山社区"),
        ("village_a1", "town_a", "东山社区"),
        ("town_a", "village_b1", "崖头街道"),
        ("town_a", "county", "崖头街道"),
    ],
)
def test_a_region_outside_the_seat_is_refused(world: MarketWorld, who: str, region: str, scope: str) -> None:
    # given
    actor = world.users()[who]
    # when
    error = _refused(project_create, actor=actor, **facts(world, region_code=getattr(world.tree, region).code))
    # then
    assert error.code == "region_outside"
    assert error.errors == [
        {
            "field": "region_code",
            "message": f"项目所在区域必须在您发布的范围（{scope}）之内。",
            "code": "region_outside",
        }
    ]


@pytest.mark.parametrize("who", ["anonymous", "nobody", "firm_rep", "resident", "leader", "auditor"])
def test_without_a_seat_nothing_is_created(world: MarketWorld, who: str) -> None:
    before = snapshot()
    with pytest.raises(NotFound):
        project_create(actor=world.users()[who], **facts(world, title=""))  # type: ignore[arg-type]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "code", "message"),
    [
        ("seat", "station:371082999999", "bad_seat", "请从列表中选择发布方。"),
        ("title", "", "required", "此项为必填项。"),
        ("title", "助浴\x00", "invalid_text", "内容中有不可见的控制字符，请删除后重试。"),
        ("title", "助浴\u202e", "invalid_text", "内容中有改变文字阅读顺序的控制字符，请删除后重试。"),
        ("title", "夕" * 121, "too_long", "不能超过 120 个字符。"),
        ("title", "夕阳红\n助浴", "invalid_text", "此项只能填写一行，请删除换行。"),
        ("need", "   ", "required", "此项为必填项。"),
        ("need", "\x07", "invalid_text", "内容中有不可见的控制字符，请删除后重试。"),
        ("beneficiaries", "", "required", "此项为必填项。"),
        ("beneficiary_count", 0, "bad_count", "受益人数至少为 1 人。"),
        ("beneficiary_count", "十二", "bad_count", "请填写受益人数（整数）。"),
        ("beneficiary_count", 1_000_001, "bad_count", "受益人数过大。"),
        ("region_code", "", "required", "请选择项目所在区域。"),
        ("region_code", "371082999999", "bad_region", "请从列表中选择项目所在区域。"),
        ("category", "sports", "bad_category", "请从列表中选择项目类别。"),
        ("budget", "", "required", "请填写金额。"),
        ("budget", "0", "not_positive", "金额必须大于零。"),
        ("budget", "-5", "not_positive", "金额必须大于零。"),
        ("budget", "12.345", "too_many_decimals", "金额最多两位小数（到分）。"),
        ("budget", "一万二", "not_a_number", "请填写以元为单位的金额，例如 1200.50。"),
        ("budget", "5000000.01", "budget_too_large", "项目预算最多 ¥5,000,000，更大的项目请拆分。"),
        ("starts_on", "2026/06/01", "bad_date", "请输入日期，例如 2026-03-01。"),
        ("ends_on", dt.date(2026, 5, 31), "ends_before_start", "结束日期不能早于开始日期。"),
        ("ends_on", dt.date(2029, 6, 2), "too_long", "项目周期最长三年。"),
        ("team_kind", "cooking", "bad_team_kind", "请选择项目所需的服务队类型。"),
    ],
)
def test_each_field_is_checked_in_chinese(world: MarketWorld, field: str, value: Any, code: str, message: str) -> None:
    # when
    error = _refused(project_create, actor=world.town_a, **facts(world, **{field: value}))
    # then
    assert (error.code, error.errors) == (code, [{"field": field, "message": message, "code": code}])


def test_full_width_digits_are_read_and_the_limits_hold(world: MarketWorld) -> None:
    # when: full-width digits in the budget and the count, a budget of exactly the limit, three years to the day
    project = project_create(
        actor=world.town_a,
        **facts(
            world,
            budget="１２０００",
            beneficiary_count="１２",
            starts_on="2026-06-01",
            ends_on="2029-06-01",
        ),
    )
    big = project_create(actor=world.town_a, **facts(world, title="大项目", budget="¥5,000,000.00"))
    # then
    assert (project.budget, project.beneficiary_count, project.ends_on) == (
        Decimal("12000.00"),
        12,
        dt.date(2029, 6, 1),
    )
    assert big.budget == Decimal("5000000.00")


def test_a_leap_day_start_lasts_three_years_to_the_28th(world: MarketWorld) -> None:
    project = project_create(
        actor=world.centre, **facts(world, starts_on=dt.date(2028, 2, 29), ends_on=dt.date(2031, 2, 28))
    )
    assert project.ends_on == dt.date(2031, 2, 28)
    error = _refused(
        project_create,
        actor=world.centre,
        **facts(world, title="另一个", starts_on=dt.date(2028, 2, 29), ends_on=dt.date(2031, 3, 1)),
    )
    assert error.code == "too_long"


def test_the_seat_is_chosen_by_its_key(world: MarketWorld) -> None:
    # given: the centre's one seat, named
    [seat] = publisher_seats(world.centre)
    # when
    project = project_create(actor=world.centre, seat=seat_key(seat), **facts(world))
    # then
    assert (project.publisher, project.publisher_region_id) == ("centre", world.tree.county.pk)
    assert seat_key(seat) == "centre:371082000000"


def test_a_double_submit_returns_the_first_draft(world: MarketWorld, frozen: Any) -> None:
    # given
    first = project_create(actor=world.town_a, **facts(world))
    # when: the same title again within two minutes (other facts changed), then after them
    frozen.shift(dt.timedelta(seconds=119))
    again = project_create(actor=world.town_a, **facts(world, budget="9000"))
    frozen.shift(dt.timedelta(seconds=2))
    later = project_create(actor=world.town_a, **facts(world))
    # then
    assert again.pk == first.pk
    assert later.pk != first.pk
    assert list(Project.objects.order_by("id").values_list("number", "budget")) == [
        ("XM2026-0001", Decimal("12000.00")),
        ("XM2026-0002", Decimal("12000.00")),
    ]
    assert AuditEvent.objects.filter(action="project.create").count() == 2


def test_another_publisher_with_the_same_title_gets_its_own_draft(world: MarketWorld) -> None:
    a = project_create(actor=world.town_a, **facts(world))
    b = project_create(actor=world.centre, **facts(world))
    assert a.pk != b.pk
    assert Project.objects.count() == 2


# --- Update -----------------------------------------------------------------------------------------
def test_a_draft_is_changed_field_by_field(world: MarketWorld) -> None:
    # given
    project = project_create(actor=world.town_a, **facts(world))
    # when
    project_update(
        actor=world.town_a,
        project_id=project.pk,
        title="夕阳红助浴（第二期）",
        budget="８０００.５",
        region_code=world.tree.village_a2.code,
    )
    # then
    project.refresh_from_db()
    assert (project.title, project.budget, project.region_id, project.beneficiary_count) == (
        "夕阳红助浴（第二期）",
        Decimal("8000.50"),
        world.tree.village_a2.pk,
        12,
    )
    event = AuditEvent.objects.get(action="project.update")
    assert event.details == {"number": project.number, "fields": ["title", "region", "budget"]}


def test_an_update_that_changes_nothing_writes_nothing(world: MarketWorld) -> None:
    project = project_create(actor=world.town_a, **facts(world))
    project_update(actor=world.town_a, project_id=project.pk, title="夕阳红助浴", budget="12000")
    assert AuditEvent.objects.filter(action="project.update").count() == 0


def test_the_centre_edits_a_towns_draft_within_the_towns_region(world: MarketWorld) -> None:
    project = project_create(actor=world.town_a, **facts(world))
    error = _refused(project_update, actor=world.centre, project_id=project.pk, region_code=world.tree.village_b1.code)
    assert error.code == "region_outside"
    project_update(actor=world.centre, project_id=project.pk, need="每两周上门一次。")
    project.refresh_from_db()
    assert project.need == "每两周上门一次。"


def test_a_published_project_is_not_edited(world: MarketWorld) -> None:
    # given
    project = world.project()
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        project_update(actor=world.town_a, project_id=project.pk, title="改名", budget="bad")
    # then: the state is refused before the input is looked at
    assert (caught.value.code, str(caught.value.message)) == ("not_now", "只有草稿状态的项目可以修改。")
    assert snapshot() == before


def test_an_update_checks_each_field(world: MarketWorld) -> None:
    project = project_create(actor=world.town_a, **facts(world))
    error = _refused(project_update, actor=world.town_a, project_id=project.pk, ends_on=dt.date(2026, 1, 1))
    assert error.code == "ends_before_start"
    error = _refused(project_update, actor=world.town_a, project_id=project.pk, budget="6000000")
    assert error.code == "budget_too_large"


# --- Publish --------------------------------------------------------------------------------------
def test_a_draft_is_published(world: MarketWorld) -> None:
    # given
    project = project_create(actor=world.village_a1, **facts(world))
    # when
    project_publish(actor=world.village_a1, project_id=project.pk)
    # then
    project.refresh_from_db()
    assert project.state == "published"
    assert project.published_at == dt.datetime(2026, 5, 20, 2, 0, tzinfo=dt.UTC)
    event = AuditEvent.objects.get(action="project.publish")
    assert (event.actor_role, event.object_id) == ("village_officer", str(project.pk))


def test_publishing_twice_is_refused(world: MarketWorld) -> None:
    project = world.project()
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        project_publish(actor=world.town_a, project_id=project.pk)
    assert (caught.value.code, str(caught.value.message)) == ("not_draft", "只有草稿状态的项目可以发布或修改。")
    assert snapshot() == before


def test_a_draft_that_has_ended_is_not_published(world: MarketWorld) -> None:
    project = world.project(state="draft", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 5, 19))
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        project_publish(actor=world.town_a, project_id=project.pk)
    assert caught.value.code == "ended"
    assert str(caught.value.message) == "项目结束日期已过，请先修改日期再发布。"
    assert snapshot() == before


# --- Withdraw -------------------------------------------------------------------------------------
def test_withdrawing_closes_the_project_and_its_open_pledges(world: MarketWorld) -> None:
    # given: two open pledges and one already withdrawn
    project = world.project()
    a = pledge(project, world.firm, "3000.00")
    b = pledge(project, world.resident_subject, "500.00", anonymous=True)
    c = pledge(project, world.other_firm, "100.00", state="withdrawn")
    # when
    project_withdraw(actor=world.town_a, project_id=project.pk, reason="村里已另行安排")
    # then
    project.refresh_from_db()
    assert (project.state, project.close_reason, project.pledged) == ("closed", "村里已另行安排", Decimal("0.00"))
    assert project.closed_at == dt.datetime(2026, 5, 20, 2, 0, tzinfo=dt.UTC)
    assert list(Pledge.objects.order_by("id").values_list("id", "state", "withdraw_reason")) == [
        (a.pk, "withdrawn", "村里已另行安排"),
        (b.pk, "withdrawn", "村里已另行安排"),
        (c.pk, "withdrawn", ""),
    ]
    written = AuditEvent.objects.filter(action__in=["pledge.withdraw", "project.withdraw"]).order_by("id")
    assert list(written.values_list("action", "object_id", "subject_id")) == [
        ("pledge.withdraw", str(a.pk), world.firm.pk),
        ("pledge.withdraw", str(b.pk), world.resident_subject.pk),
        ("project.withdraw", str(project.pk), None),
    ]


def test_a_draft_is_withdrawn_too(world: MarketWorld) -> None:
    project = project_create(actor=world.town_a, **facts(world))
    project_withdraw(actor=world.town_a, project_id=project.pk, reason="重复录入")
    project.refresh_from_db()
    assert project.state == "closed"


@pytest.mark.parametrize(
    ("state", "raised", "code", "message"),
    [
        ("in_progress", "0", "already_started", "项目已开始实施，不能再撤回。"),
        ("completed", "0", "already_started", "项目已开始实施，不能再撤回。"),
        ("closed", "0", "already_started", "项目已开始实施，不能再撤回。"),
        ("claimed", "100.00", "money_in", "项目已有资金到账，不能撤回。请验收后处理结余。"),
    ],
)
def test_withdrawing_is_refused_once_started_or_paid(
    world: MarketWorld, state: str, raised: str, code: str, message: str
) -> None:
    # given
    project = world.project(state=state, raised=Decimal(raised))
    pledge(project, world.firm, "1000.00")
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        project_withdraw(actor=world.town_a, project_id=project.pk, reason="不做了")
    # then
    assert (caught.value.code, str(caught.value.message)) == (code, message)
    assert snapshot() == before


def test_withdrawing_needs_a_reason(world: MarketWorld) -> None:
    project = world.project()
    error = _refused(project_withdraw, actor=world.town_a, project_id=project.pk, reason=" ")
    assert error.errors == [{"field": "reason", "message": "此项为必填项。", "code": "required"}]


# --- Milestones -----------------------------------------------------------------------------------
def test_milestones_are_numbered_per_project(world: MarketWorld) -> None:
    # given
    project = world.project(state="claimed")
    other = world.project()
    # when
    first = milestone_plan(actor=world.town_a, project_id=project.pk, title="完成入户摸底", due_on="2026-06-15")
    second = milestone_plan(
        actor=world.centre, project_id=project.pk, title="首轮上门助浴", due_on=dt.date(2026, 11, 30)
    )
    elsewhere = milestone_plan(actor=world.town_a, project_id=other.pk, title="启动", due_on=dt.date(2026, 6, 1))
    # then
    assert [(m.project_id, m.number, m.title) for m in Milestone.objects.order_by("id")] == [
        (project.pk, 1, "完成入户摸底"),
        (project.pk, 2, "首轮上门助浴"),
        (other.pk, 1, "启动"),
    ]
    assert (first.due_on, second.state, elsewhere.number) == (dt.date(2026, 6, 15), "planned", 1)
    assert list(AuditEvent.objects.filter(action="milestone.plan").values_list("actor_role", flat=True)) == [
        "town_officer",
        "department_recorder",
        "town_officer",
    ]


@pytest.mark.parametrize("due", [dt.date(2026, 5, 31), dt.date(2026, 12, 1)])
def test_a_milestone_lies_within_the_projects_dates(world: MarketWorld, due: dt.date) -> None:
    project = world.project()
    error = _refused(milestone_plan, actor=world.town_a, project_id=project.pk, title="节点", due_on=due)
    assert error.errors == [
        {
            "field": "due_on",
            "message": "项目节点须在项目周期之内（2026-06-01 至 2026-11-30）。",
            "code": "outside_project",
        }
    ]


@pytest.mark.parametrize("state", ["completed", "accepted", "closed"])
def test_no_milestone_is_planned_after_the_work(world: MarketWorld, state: str) -> None:
    project = world.project(state=state)
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        milestone_plan(actor=world.town_a, project_id=project.pk, title="补充节点", due_on=dt.date(2026, 7, 1))
    assert (caught.value.code, str(caught.value.message)) == ("not_now", "项目完成前才能计划节点。")
    assert snapshot() == before


def test_a_milestone_title_refuses_control_characters(world: MarketWorld) -> None:
    project = world.project()
    error = _refused(
        milestone_plan, actor=world.town_a, project_id=project.pk, title="节点\x1b", due_on=dt.date(2026, 7, 1)
    )
    assert error.code == "invalid_text"
