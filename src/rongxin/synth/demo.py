"""Demo accounts: one per role, over the first town and village of the synthetic county.

Used by ``rongxin demo`` (run by ``make demo``). Idempotent: accounts that exist are kept.

Canteens: the ``canteen`` manager's village has an open canteen with elders, cooks, donations
(:mod:`rongxin.synth.canteens_demo`); ``civil_affairs`` is the county's canteen administrator.

Volunteering: the ``team_leader`` account is linked to a volunteer who leads the first town's
town-village service team; the ``resident`` is a volunteer with service records (a synthetic
one when the county has volunteering data). Each run makes sure the team has a few upcoming
activities open for sign-up (one starting within the hour in the daytime, the resident signed
up, so the check-in code can be tried at once; at night it starts at 08:00 the next morning)
and the town an open call-out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.accounts.services import GrantSpec, user_create
from rongxin.core import clock
from rongxin.core.errors import ApplicationError
from rongxin.credit.services.entries import entry_record
from rongxin.incentives.models import Provider, ProviderAccount
from rongxin.incentives.services.offers import incentives_load_starters
from rongxin.regions.models import Region, Venue
from rongxin.subjects.models import Person, Subject, SubjectAccount
from rongxin.subjects.services import subject_account_link
from rongxin.synth.canteens_demo import stage_canteens
from rongxin.synth.funds_demo import stage_funds
from rongxin.synth.lectures_demo import stage_lectures
from rongxin.volunteering.models import Activity, ActivityType, CallOut, Membership, Team, Volunteer
from rongxin.volunteering.services import (
    ActivityInput,
    activity_create,
    activity_publish,
    leader_set,
    membership_apply,
    membership_decide,
    signup_create,
    team_create,
    volunteer_register,
)
from rongxin.volunteering.services.mobilisation import ShiftInput, callout_create

# Printed by `make demo`; the demo only listens on 127.0.0.1.
DEMO_PASSWORD = "rongxin-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    region: str
    note: str = ""


def _first(level: str, parent: Region | None = None) -> Region:
    qs = Region.objects.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    region = qs.order_by("code").first()
    if region is None:
        raise ApplicationError("没有区域数据：请先运行 rongxin generate。")
    return region


def _resident_subject(village: Region) -> Subject | None:
    """An adult of the village who consented and has no account: preferably a volunteer with
    a few service records."""
    people = (
        Subject.objects.filter(
            village=village, kind=Subject.Kind.PERSON, person__birth_date__year__lte=1990, person__consent_given=True
        )
        .exclude(account_links__isnull=False)
        .order_by("id")
    )
    volunteer = (
        people.filter(volunteer__status=Volunteer.Status.ACTIVE)
        .annotate(n=Count("volunteer__records", filter=Q(volunteer__records__current=True)))
        .filter(n__gte=3)
        .first()
    )
    return volunteer or people.first()


def _leader_subject(town: Region, village: Region, resident: Subject | None) -> Subject | None:
    """A volunteer who leads the town's own town-village team and has no account (a synthetic
    leader), else an adult of the village who will be made one."""
    m = (
        Membership.objects.filter(
            team__tier=Team.Tier.TOWN_VILLAGE,
            team__region=town,
            team__kind=Team.Kind.SERVICE,
            role=Membership.Role.LEADER,
            status=Membership.Status.ACCEPTED,
            volunteer__status=Volunteer.Status.ACTIVE,
            volunteer__subject__person__consent_given=True,
        )
        .exclude(volunteer__subject__account_links__isnull=False)
        .exclude(volunteer__subject=resident)
        .select_related("volunteer__subject")
        .order_by("team_id", "volunteer_id")
        .first()
    )
    if m is not None:
        return m.volunteer.subject
    people = Subject.objects.filter(
        village=village, kind=Subject.Kind.PERSON, person__birth_date__year__lte=1985, person__consent_given=True
    ).exclude(account_links__isnull=False)
    if resident is not None:
        people = people.exclude(pk=resident.pk)
    return people.order_by("-id").first()


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    county = _first(Region.Level.COUNTY)
    town = _first(Region.Level.TOWN, county)
    village = _first(Region.Level.VILLAGE, town)
    traffic, _ = Department.objects.get_or_create(code="traffic_police", defaults={"name": "公安交警大队"})
    publicity, _ = Department.objects.get_or_create(
        code="publicity", defaults={"name": "县委宣传部（新时代文明实践中心）"}
    )
    civil_affairs, _ = Department.objects.get_or_create(code="civil_affairs", defaults={"name": "民政局"})
    civilization, _ = Department.objects.get_or_create(code="civilization_office", defaults={"name": "县文明办"})
    plan: list[tuple[str, str, str, Region, Department | None]] = [
        ("credit_office", "县信用办 王主任", Role.COUNTY_CREDIT_OFFICE, county, None),
        ("recorder", "交警大队 李记录员", Role.DEPARTMENT_RECORDER, county, traffic),
        ("town_officer", f"{town.name} 张干事", Role.TOWN_OFFICER, town, None),
        ("village_officer", f"{village.name} 刘书记", Role.VILLAGE_OFFICER, village, None),
        ("team_leader", "", Role.TEAM_LEADER, town, None),
        ("resident", "", Role.RESIDENT, village, None),
        ("enterprise", "", Role.ENTERPRISE_REP, town, None),
        ("provider", "公交公司 核验员", Role.INCENTIVE_PROVIDER, county, None),
        ("canteen", f"{village.name} 暖心食堂 管理员", Role.CANTEEN_MANAGER, village, None),
        ("lecturer", "宣讲员 孙老师", Role.LECTURER, town, None),
        ("publicity", "宣传部 宣讲管理员", Role.DEPARTMENT_RECORDER, county, publicity),
        ("civil_affairs", "民政局 食堂管理员", Role.DEPARTMENT_RECORDER, county, civil_affairs),
        ("funds", "县文明办 资金管理员", Role.DEPARTMENT_RECORDER, county, civilization),
        ("auditor", "审计员 周审计", Role.AUDITOR, county, None),
        ("admin", "平台管理员", Role.PLATFORM_ADMIN, county, None),
    ]
    linked_of = {
        link.user.username: link.subject
        for link in SubjectAccount.objects.filter(
            user__username__in=["resident", "enterprise", "team_leader"]
        ).select_related("user", "subject")
    }
    resident_subject = linked_of.get("resident") or _resident_subject(village)
    chosen: dict[str, Subject | None] = {
        "resident": resident_subject,
        "team_leader": linked_of.get("team_leader") or _leader_subject(town, village, resident_subject),
        "enterprise": linked_of.get("enterprise")
        or Subject.objects.filter(town=town, kind=Subject.Kind.ENTERPRISE)
        .exclude(account_links__isnull=False)
        .order_by("id")
        .first(),
    }
    users: dict[str, User] = {}
    for username, display, role, region, department in plan:
        linked = chosen.get(username)
        if role == Role.RESIDENT:
            display = linked.name if linked else "居民"
        elif role == Role.TEAM_LEADER:
            display = f"{linked.name}（志愿服务队队长）" if linked else "志愿服务队 陈队长"
        elif role == Role.ENTERPRISE_REP:
            display = f"{linked.name} 代表" if linked else "企业代表"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                display_name=display,
                password=DEMO_PASSWORD,
                grants=[GrantSpec(role=role, region=region, department=department)],
            )
            if role == Role.PLATFORM_ADMIN:
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        if linked is not None and username not in linked_of:
            relation = (
                SubjectAccount.Relation.REPRESENTATIVE if role == Role.ENTERPRISE_REP else SubjectAccount.Relation.SELF
            )
            subject_account_link(actor=None, user=user, subject=linked, relation=relation)
        users[username] = user
    team = _stage_volunteering(users=users, town=town, village=village)
    bus = _stage_incentives(provider_user=users["provider"])
    head, lecture_team, lecture = stage_lectures(
        users=users, town=town, village=village, starts=soon_in_daytime(clock.now())
    )
    canteen = stage_canteens(town=town, village=village)
    village_fund = stage_funds(county=county, village=village, resident=resident_subject)
    out: list[DemoAccount] = []
    for username, _display, role, region, _department in plan:
        user = users[username]
        linked = chosen.get(username)
        note = ""
        if linked is not None:
            note = linked.name
            if role in (Role.RESIDENT, Role.TEAM_LEADER):
                note += f"（{Person.objects.get(pk=linked.pk).id_number_masked}）"
                number = Volunteer.objects.filter(pk=linked.pk).values_list("number", flat=True).first()
                if number:
                    note += f" · 志愿者 {number}"
            if role == Role.TEAM_LEADER and team is not None:
                note += f" · {team.name} 队长"
        if role == Role.INCENTIVE_PROVIDER and bus is not None:
            note = f"{bus.name} · 核验与兑现"
        if username == "lecturer":
            starts = lecture.starts_at.astimezone(clock.LOCAL_TZ)
            note = f"{head.position} · 每两个月至少宣讲一次 · {lecture.title} {starts:%m-%d %H:%M} 开始"
        if username == "publicity":
            note = f"宣讲管理员 · {lecture_team.name} · 点单调度"
        if username == "canteen":
            note = f"{canteen.name} · 在册老人 {canteen.elder_count} 名 · 今日午餐登记"
        if username == "civil_affairs":
            note = "食堂管理员 · 全县食堂、覆盖目标与建设计划"
        if username == "funds":
            note = f"县级专项资金预算与拨付 · {village_fund.name}记账 · {village.name}季度表彰公示与光荣榜"
        out.append(
            DemoAccount(
                username=username, display_name=user.display_name, role=str(Role(role).label), region=region.name,
                note=note,
            )
        )  # fmt: skip
    resident_link = SubjectAccount.objects.filter(user__username="resident").first()
    if resident_link is not None:
        _stage_deduction(recorder=users["recorder"], subject=resident_link.subject)
    return out


# --- Volunteering -------------------------------------------------------------------------------
# (type code, title, days from today, local start, minutes): the first starts within the hour in
# the daytime (soon_in_daytime).
UPCOMING: tuple[tuple[str, str, int | None, tuple[int, int] | None, int], ...] = (
    ("elderly_care", "{village}敬老志愿服务（演示）", None, None, 120),
    ("environment_cleanup", "{village}环境卫生整治（演示）", 1, (9, 0), 150),
    ("canteen_cooking", "{village}暖心食堂帮厨（演示）", 3, (9, 0), 180),
)
CALLOUT_TITLE = "汛期防汛值守（演示）"
# Activities start in the daytime, county time: from 07:00, and no later than 19:00 (the demo's
# first activity lasts two hours).
DAYTIME_FROM, DAYTIME_LAST_START = dt.time(7, 0), dt.time(19, 0)
MORNING_START = dt.time(8, 0)


def soon_in_daytime(now: dt.datetime) -> dt.datetime:
    """Twenty minutes from ``now`` when that falls in the daytime (so the check-in code can be
    tried at once); otherwise 08:00 the next morning, county time (today's, before dawn)."""
    soon = (now + dt.timedelta(minutes=20)).astimezone(clock.LOCAL_TZ).replace(second=0, microsecond=0)
    if DAYTIME_FROM <= soon.time() <= DAYTIME_LAST_START:
        return soon
    day = soon.date() if soon.time() < DAYTIME_FROM else soon.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, MORNING_START, tzinfo=clock.LOCAL_TZ)


def _leader_team(*, leader: User, town_officer: User, town: Region) -> Team | None:
    """The town-village team the demo leader leads: the one they lead already (synthetic
    data), else the town's service team (created if missing), joined and made a leader of
    through the services."""
    subject = SubjectAccount.objects.filter(user=leader, relation=SubjectAccount.Relation.SELF).first()
    if subject is None:
        return None
    led = (
        Membership.objects.filter(
            volunteer_id=subject.subject_id,
            role=Membership.Role.LEADER,
            status=Membership.Status.ACCEPTED,
            team__tier=Team.Tier.TOWN_VILLAGE,
            team__region=town,
        )
        .select_related("team")
        .order_by("team_id")
        .first()
    )
    if led is not None:
        return led.team
    volunteer = Volunteer.objects.filter(pk=subject.subject_id, status=Volunteer.Status.ACTIVE).first()
    if volunteer is None:
        volunteer = volunteer_register(actor=leader, agree=True, skills=["first_aid"])
    team = Team.objects.filter(region=town, tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE).order_by("id").first()
    if team is None:
        team = team_create(
            actor=town_officer,
            name=f"{town.name}新时代文明实践志愿服务队",
            tier=Team.Tier.TOWN_VILLAGE,
            kind=Team.Kind.SERVICE,
            region_code=town.code,
        )
    m = Membership.objects.filter(team=team, volunteer=volunteer).first()
    if m is None or m.status != Membership.Status.ACCEPTED:
        if m is None or m.status != Membership.Status.APPLIED:
            m = membership_apply(actor=leader, team_id=team.pk)
        membership_decide(actor=town_officer, membership_id=m.pk, accept=True)
    leader_set(actor=town_officer, team_id=team.pk, volunteer_number=volunteer.number)
    return team


def _stage_volunteering(*, users: dict[str, User], town: Region, village: Region) -> Team | None:
    """The leader's team, its upcoming activities (the resident signed up for the first) and an
    open call-out in the town. Idempotent: what is still upcoming is kept."""
    leader, resident, officer = users["team_leader"], users["resident"], users["town_officer"]
    team = _leader_team(leader=leader, town_officer=officer, town=town)
    if team is None:
        return None
    resident_link = SubjectAccount.objects.filter(user=resident, relation=SubjectAccount.Relation.SELF).first()
    if (
        resident_link is not None
        and not Volunteer.objects.filter(pk=resident_link.subject_id, status=Volunteer.Status.ACTIVE).exists()
    ):
        volunteer_register(actor=resident, agree=True, skills=["cooking", "first_aid"])
    now = clock.now()
    local = now.astimezone(clock.LOCAL_TZ)
    venue = Venue.objects.filter(region=village).order_by("id").first()
    types = dict(ActivityType.objects.filter(active=True).values_list("code", "risky"))
    for n, (code, title, days, start, minutes) in enumerate(UPCOMING):
        title = title.format(village=village.name)
        if code not in types:
            continue
        existing = Activity.objects.filter(team=team, title=title, status=Activity.Status.PUBLISHED, ends_at__gt=now)
        if existing.exists():
            continue
        if days is None or start is None:
            starts = soon_in_daytime(now)
        else:
            day = local.date() + dt.timedelta(days=days)
            starts = dt.datetime(day.year, day.month, day.day, start[0], start[1], tzinfo=clock.LOCAL_TZ)
        activity = activity_create(
            actor=leader,
            team_id=team.pk,
            data=ActivityInput(
                type_code=code,
                title=title,
                region_code=village.code,
                place=venue.name if venue is not None else f"{village.name}新时代文明实践站",
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=minutes),
                capacity=20,
                description="演示活动：报名后在活动开始前一小时起，扫描组织者屏幕上的签到码签到。",
                insured=types[code],
                venue_id=venue.pk if venue is not None else None,
            ),
        )
        activity_publish(actor=leader, activity_id=activity.pk)
        if n == 0 and resident_link is not None:
            # Already signed up (an earlier run) or not eligible: the demo goes on without it.
            with contextlib.suppress(ApplicationError):
                signup_create(actor=resident, activity_id=activity.pk)
    if not CallOut.objects.filter(region=town, title=CALLOUT_TITLE, status=CallOut.Status.OPEN).exists():
        day = local.date() + dt.timedelta(days=1)
        shifts = [
            ShiftInput(
                place=place,
                starts_at=dt.datetime(day.year, day.month, day.day, h, 0, tzinfo=clock.LOCAL_TZ),
                ends_at=dt.datetime(day.year, day.month, day.day, h + 6, 0, tzinfo=clock.LOCAL_TZ),
                needed=needed,
            )
            for place, h, needed in ((f"{village.name}河道闸口", 8, 6), (f"{town.name}防汛物资仓库", 14, 4))
        ]
        callout_create(
            actor=officer,
            title=CALLOUT_TITLE,
            kind=CallOut.Kind.FLOOD,
            region_code=town.code,
            description="台风预警期间巡查河道、转运物资，志愿者自愿报名值守。",
            shifts=shifts,
        )
    return team


def _stage_incentives(*, provider_user: User) -> Provider | None:
    """The starter offers, and the provider demo account acting for the bus company."""
    incentives_load_starters()
    bus = Provider.objects.filter(code="rc_bus").first()
    if bus is not None and not ProviderAccount.objects.filter(user=provider_user).exists():
        ProviderAccount.objects.create(provider=bus, user=provider_user, created_at=clock.now())
    return bus


def _stage_deduction(*, recorder: User, subject: Subject) -> None:
    """A fresh zebra-crossing deduction for the demo resident, so the objection window is open
    (idempotent: its key is fixed)."""
    now = clock.now()
    try:
        entry_record(
            actor=recorder,
            subject_id=subject.pk,
            rule_code="P-TRA-01",
            occurred_at=now - dt.timedelta(days=2),
            evidence="电子警察抓拍记录（演示数据）",
            source_key="demo:zebra-crossing",
        )
    except ApplicationError:
        # Already staged with other content (an older demo run) or no catalogue: nothing to add.
        return
