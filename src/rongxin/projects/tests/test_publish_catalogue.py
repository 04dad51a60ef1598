"""The public catalogue, the staff list and a project's view: exact rows for each filter and
order, the same few queries however many projects there are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.core import clock
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.services.books import LineIn, entry_post, voucher_store
from rongxin.projects.models import Milestone, MilestonePhoto, Project, ProjectActivity, Settlement, Spending
from rongxin.projects.selectors.catalogue import catalogue_page, managed_page
from rongxin.projects.selectors.project import project_view
from rongxin.projects.tests.helpers import MarketWorld, pdf, png
from rongxin.projects.tests.publish_helpers import pledge
from rongxin.volunteering.models import Activity, ActivityType, ServiceRecord, Volunteer

pytestmark = pytest.mark.django_db

TZ = clock.LOCAL_TZ


def _day(d: int) -> dt.datetime:
    return dt.datetime(2026, 5, d, 9, 0, tzinfo=TZ)


def _market(world: MarketWorld) -> dict[str, Project]:
    """Six projects in every corner of the filters (and a draft the public never sees)."""
    t = world.tree
    return {
        "bath": world.project(published_at=_day(1)),
        "study": world.project(
            title="留守儿童助学",
            state="claimed",
            region=t.village_b1,
            category="children",
            budget=Decimal("20000.00"),
            pledged=Decimal("20000.00"),
            raised=Decimal("5000.00"),
            title_name="荣信海洋食品有限公司·留守儿童助学",
            publisher_region=t.town_b,
            published_at=_day(3),
        ),
        "clean": world.project(
            title="海岸净滩",
            state="in_progress",
            region=t.town_a,
            category="environment",
            budget=Decimal("8000.00"),
            pledged=Decimal("8000.00"),
            raised=Decimal("8000.00"),
            published_at=_day(5),
        ),
        "draft": world.project(title="草稿中的助浴", state="draft", published_at=None),
        "old": world.project(
            title="老年助餐", state="closed", region=t.village_a2, budget=Decimal("3000.00"), published_at=_day(2)
        ),
        "big": world.project(
            title="村居养老驿站助浴",
            region=t.village_b2,
            budget=Decimal("50000.00"),
            pledged=Decimal("10000.00"),
            publisher_region=t.town_b,
            published_at=_day(4),
        ),
    }


def _titles(**filters: Any) -> list[str]:
    return [r.title for r in catalogue_page(**filters).rows]


def test_the_catalogue_shows_public_projects_newest_first(world: MarketWorld) -> None:
    # given
    _market(world)
    # when
    page = catalogue_page()
    # then
    assert [r.title for r in page.rows] == ["海岸净滩", "村居养老驿站助浴", "留守儿童助学", "老年助餐", "夕阳红助浴"]
    assert (page.total, page.page, page.pages, page.per_page) == (5, 1, 1, 20)
    study = page.rows[2]
    assert (study.shown_title, study.state_label, study.category_label) == (
        "荣信海洋食品有限公司·留守儿童助学",
        "已认领",
        "儿童助学",
    )
    assert (study.region_name, study.town_name, study.raised_percent, study.needed) == (
        "烟墩角村",
        "俚岛镇",
        25,
        Decimal("0.00"),
    )
    clean = page.rows[0]
    assert (clean.region_name, clean.town_name, clean.raised_percent) == ("崖头街道", "", 100)


@pytest.mark.parametrize(
    ("filters", "titles"),
    [
        ({"state": "claimed"}, ["留守儿童助学"]),
        ({"state": "published"}, ["村居养老驿站助浴", "夕阳红助浴"]),
        ({"town_code": "371082001000"}, ["海岸净滩", "老年助餐", "夕阳红助浴"]),
        ({"town_code": "371082101000"}, ["村居养老驿站助浴", "留守儿童助学"]),
        ({"town_code": "371082999000"}, []),
        ({"category": "elderly"}, ["村居养老驿站助浴", "老年助餐", "夕阳红助浴"]),
        ({"category": "elderly", "town_code": "371082101000"}, ["村居养老驿站助浴"]),
        ({"q": "助浴"}, ["村居养老驿站助浴", "夕阳红助浴"]),
        ({"q": "海洋食品"}, ["留守儿童助学"]),
        ({"q": "xm2026-0002"}, ["留守儿童助学"]),
        ({"q": "草稿"}, []),
        ({"sort": "needed"}, ["村居养老驿站助浴", "夕阳红助浴", "老年助餐", "海岸净滩", "留守儿童助学"]),
        ({"sort": "raised"}, ["海岸净滩", "留守儿童助学", "村居养老驿站助浴", "老年助餐", "夕阳红助浴"]),
        ({"state": "published", "sort": "needed"}, ["村居养老驿站助浴", "夕阳红助浴"]),
    ],
)
def test_the_catalogues_filters_and_orders(world: MarketWorld, filters: dict[str, Any], titles: list[str]) -> None:
    _market(world)
    assert _titles(**filters) == titles


@pytest.mark.parametrize(
    ("filters", "field", "code"),
    [
        ({"state": "draft"}, "state", "bad_state"),
        ({"state": "nonsense"}, "state", "bad_state"),
        ({"category": "sports"}, "category", "bad_category"),
        ({"sort": "cheapest"}, "sort", "bad_sort"),
        ({"q": "助\x00浴"}, "q", "invalid_text"),
    ],
)
def test_the_catalogue_refuses_unknown_filters(
    world: MarketWorld, filters: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        catalogue_page(**filters)
    assert (caught.value.code, caught.value.errors[0]["field"]) == (code, field)


def test_the_catalogue_pages_by_twenty(world: MarketWorld) -> None:
    # given
    for i in range(25):
        world.project(title=f"项目{i:02d}", published_at=_day(1) + dt.timedelta(minutes=i))
    # when
    first, second, past = catalogue_page(page=1), catalogue_page(page=2), catalogue_page(page=3)
    # then
    assert [r.title for r in first.rows] == [f"项目{i:02d}" for i in range(24, 4, -1)]
    assert [r.title for r in second.rows] == ["项目04", "项目03", "项目02", "项目01", "项目00"]
    assert (second.total, second.pages, past.rows, past.page) == (25, 2, [], 3)


@pytest.mark.parametrize("count", [1, 25])
@pytest.mark.parametrize(
    "filters",
    [{}, {"town_code": "371082001000", "category": "elderly", "q": "项目", "sort": "needed", "state": "published"}],
)
def test_the_catalogue_takes_two_queries_whatever_it_holds(
    world: MarketWorld, django_assert_num_queries: Any, count: int, filters: dict[str, Any]
) -> None:
    # given
    for i in range(count):
        world.project(title=f"项目{i:02d}")
    # when / then
    with django_assert_num_queries(2):
        page = catalogue_page(**filters, page=1)
    assert len(page.rows) == min(count, 20)


# --- The staff list ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "titles"),
    [
        ("centre", ["村居养老驿站助浴", "老年助餐", "草稿中的助浴", "海岸净滩", "留守儿童助学", "夕阳红助浴"]),
        ("auditor", ["村居养老驿站助浴", "老年助餐", "草稿中的助浴", "海岸净滩", "留守儿童助学", "夕阳红助浴"]),
        ("town_a", ["老年助餐", "草稿中的助浴", "海岸净滩", "夕阳红助浴"]),
        ("town_b", ["村居养老驿站助浴", "留守儿童助学"]),
        ("village_a1", []),
        ("traffic_rec", []),
    ],
)
def test_the_staff_list_holds_the_projects_one_runs(world: MarketWorld, who: str, titles: list[str]) -> None:
    _market(world)
    page = managed_page(actor=world.users()[who])
    assert [r.title for r in page.rows] == titles
    assert page.total == len(titles)


def test_the_staff_list_counts_each_state(world: MarketWorld) -> None:
    _market(world)
    page = managed_page(actor=world.town_a, state="draft")
    assert [r.title for r in page.rows] == ["草稿中的助浴"]
    assert page.counts == {
        "draft": 1,
        "published": 1,
        "claimed": 0,
        "in_progress": 1,
        "completed": 0,
        "accepted": 0,
        "closed": 1,
    }
    assert page.total == 1


@pytest.mark.parametrize("who", ["anonymous", "nobody", "firm_rep", "resident", "leader"])
def test_outsiders_have_no_staff_list(world: MarketWorld, who: str) -> None:
    with pytest.raises(NotFound):
        managed_page(actor=world.users()[who])


@pytest.mark.parametrize("count", [1, 25])
def test_the_staff_list_takes_the_same_queries_whatever_it_holds(
    world: MarketWorld, django_assert_num_queries: Any, count: int
) -> None:
    for i in range(count):
        world.project(title=f"项目{i:02d}")
    actor = world.town_a
    managed_page(actor=actor)  # the actor's grants, read once per request
    with django_assert_num_queries(2):
        managed_page(actor=actor, state="published", page=2)


# --- A project's view -----------------------------------------------------------------------------
def _volunteer(user: Any) -> Volunteer:
    return Volunteer.objects.get(subject__account_links__user=user)


def _linked_activity(
    world: MarketWorld, project: Project, title: str, records: list[tuple[Any, int, bool]]
) -> Activity:
    start = dt.datetime(2026, 6, 2, 9, 0, tzinfo=TZ)
    activity = Activity.objects.create(
        team=world.team,
        type=ActivityType.objects.order_by("id").first(),
        title=title,
        region=world.tree.village_a1,
        place="东山社区",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=10,
        signup_opens_at=start - dt.timedelta(days=5),
        signup_closes_at=start - dt.timedelta(days=1),
        status=Activity.Status.CLOSED,
        qr_secret=b"secret",
        created_at=clock.now(),
    )
    ProjectActivity.objects.create(project=project, activity=activity, linked_at=clock.now())
    for revision, (user, minutes, current) in enumerate(records, start=1):
        ServiceRecord.objects.create(
            activity=activity,
            volunteer=_volunteer(user),
            revision=revision,
            team=world.team,
            service_date=start.date(),
            place="东山社区",
            content="上门助浴",
            minutes=minutes,
            rating="good",
            recorded_at=clock.now(),
            current=current,
        )
    return activity


def _full_project(world: MarketWorld) -> Project:
    """An in-progress project with sponsors (one anonymous, one withdrawn), an activity with
    verified hours, milestones with photos, a spending and its reversal."""
    project = world.project(state="in_progress", team=world.team, raised=Decimal("3000.00"), spent=Decimal("120.00"))
    pledge(project, world.resident_subject, "500.00", anonymous=True, paid="500.00", state="paid")
    pledge(project, world.other_firm, "200.00", state="withdrawn")
    pledge(project, world.firm, "9500.00", title=True, paid="2500.00")
    _linked_activity(
        world,
        project,
        "六月上门助浴",
        [(world.leader, 180, False), (world.leader, 150, True), (world.leader_b, 120, True)],
    )
    m1 = Milestone.objects.create(
        project=project,
        number=1,
        title="完成入户摸底",
        due_on=dt.date(2026, 6, 15),
        state="reported",
        report="走访了 12 户老人。",
        reported_at=clock.now(),
    )
    Milestone.objects.create(project=project, number=2, title="首轮上门助浴", due_on=dt.date(2026, 7, 15))
    for tag in ("a", "b"):
        MilestonePhoto.objects.create(
            milestone=m1,
            file_name=f"{tag}.png",
            content_type="image/png",
            size=40,
            sha256=tag * 64,
            data=png(tag),
            uploaded_at=clock.now(),
        )
    return project


def test_a_projects_view_for_the_public(world: MarketWorld) -> None:
    # given
    project = _full_project(world)
    # when
    view = project_view(actor=None, project=project)
    # then
    assert [(s.name, s.title, s.amount, s.paid, s.state) for s in view.sponsors] == [
        ("荣信海洋食品有限公司", True, Decimal("9500.00"), Decimal("2500.00"), "open"),
        ("爱心人士（匿名）", False, Decimal("500.00"), Decimal("500.00"), "paid"),
    ]
    assert view.title_sponsor is not None
    assert view.title_sponsor.name == "荣信海洋食品有限公司"
    assert project.shown_title == "荣信海洋食品有限公司·夕阳红助浴"
    m = view.money
    assert (m.budget, m.pledged, m.needed, m.raised, m.spent, m.left, m.unpaid, m.raised_percent) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
        Decimal("0.00"),
        Decimal("3000.00"),
        Decimal("120.00"),
        Decimal("2880.00"),
        Decimal("7000.00"),
        30,
    )
    assert [(a.title, a.minutes, a.volunteers, a.hours) for a in view.activities] == [
        ("六月上门助浴", 270, 2, Decimal("4.5"))
    ]
    assert [(ms.number, ms.title, ms.state, [p.file_name for p in ms.photos]) for ms in view.milestones] == [
        (1, "完成入户摸底", "reported", ["a.png", "b.png"]),
        (2, "首轮上门助浴", "planned", []),
    ]
    assert view.working is None
    assert AuditEvent.objects.filter(action="project.read").count() == 0


def test_spendings_and_settlements_in_the_view(world: MarketWorld) -> None:
    # given: the rows are the implement helper's to write; here they point at three entries
    project = world.project(state="accepted", raised=Decimal("3.00"))
    voucher = voucher_store(actor=None, fund=world.fund, data=pdf("view"), file_name="回单.pdf")
    entries = [
        entry_post(
            actor=None,
            fund_id=world.fund.pk,
            kind="donation",
            on=dt.date(2026, 5, 20),
            memo=f"测试{i}",
            voucher=voucher,
            lines=[LineIn("1001", Decimal("1.00")), LineIn(f"41{project.pk:06d}", Decimal("-1.00"))],
        )
        for i in range(3)
    ]
    Spending.objects.create(
        project=project,
        entry=entries[0],
        reversal=entries[1],
        amount=Decimal("60.00"),
        paid_on=dt.date(2026, 5, 18),
        purpose="购买洗浴用品",
        recorded_at=clock.now(),
    )
    pledge_row = pledge(world.project(), world.resident_subject, "100.00", anonymous=True)
    Settlement.objects.create(
        project=project,
        kind="return",
        amount=Decimal("40.00"),
        pledge=pledge_row,
        entry=entries[2],
        note="结余退回",
        recorded_at=clock.now(),
    )
    # when
    view = project_view(actor=None, project=project)
    # then
    assert [(s.amount, s.purpose, s.reversed) for s in view.spendings] == [(Decimal("60.00"), "购买洗浴用品", True)]
    assert [(s.kind_label, s.amount, s.to) for s in view.settlements] == [
        ("退回认领方", Decimal("40.00"), "爱心人士（匿名）")
    ]


def test_the_working_side_for_the_publisher_is_audited(world: MarketWorld) -> None:
    # given
    project = _full_project(world)
    # when
    view = project_view(actor=world.town_a, project=project)
    # then
    assert view.working is not None
    assert view.working.manages is True
    assert [(p.sponsor_name, p.anonymous, p.amount) for p in view.working.open_pledges] == [
        ("荣信海洋食品有限公司", False, Decimal("9500.00"))
    ]
    event = AuditEvent.objects.get(action="project.read")
    assert (event.kind, event.actor_id, event.actor_role, event.object_id) == (
        "read",
        world.town_a.pk,
        "town_officer",
        str(project.pk),
    )


def test_an_auditor_reads_the_working_side_without_managing(world: MarketWorld) -> None:
    project = _full_project(world)
    view = project_view(actor=world.auditor, project=project)
    assert view.working is not None
    assert view.working.manages is False


@pytest.mark.parametrize("who", ["anonymous", "town_a"])
def test_a_projects_view_takes_the_same_queries_whatever_it_holds(
    world: MarketWorld, django_assert_num_queries: Any, who: str
) -> None:
    # given: an empty project and a full one; the actor's grants already read
    actor = world.users()[who]
    empty = Project.objects.select_related("region", "publisher_region", "publisher_department", "team").get(
        pk=world.project().pk
    )
    full = Project.objects.select_related("region", "publisher_region", "publisher_department", "team").get(
        pk=_full_project(world).pk
    )
    project_view(actor=actor, project=empty)
    expected = 6 if actor is None else 9
    # when / then
    for project in (empty, full):
        with django_assert_num_queries(expected):
            project_view(actor=actor, project=project)
