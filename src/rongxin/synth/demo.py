"""Demo accounts: one per role, over the first town and village of the synthetic county.

Used by ``rongxin demo`` (run by ``make demo``). Idempotent: accounts that exist are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from rongxin.accounts.models import Department, User
from rongxin.accounts.roles import Role
from rongxin.accounts.services import GrantSpec, user_create
from rongxin.core import clock
from rongxin.core.errors import ApplicationError
from rongxin.credit.services import entry_record
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, Subject, SubjectAccount
from rongxin.subjects.services import subject_account_link

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


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    county = _first(Region.Level.COUNTY)
    town = _first(Region.Level.TOWN, county)
    village = _first(Region.Level.VILLAGE, town)
    traffic, _ = Department.objects.get_or_create(code="traffic_police", defaults={"name": "公安交警大队"})
    plan: list[tuple[str, str, str, Region, Department | None]] = [
        ("credit_office", "县信用办 王主任", Role.COUNTY_CREDIT_OFFICE, county, None),
        ("recorder", "交警大队 李记录员", Role.DEPARTMENT_RECORDER, county, traffic),
        ("town_officer", f"{town.name} 张干事", Role.TOWN_OFFICER, town, None),
        ("village_officer", f"{village.name} 刘书记", Role.VILLAGE_OFFICER, village, None),
        ("team_leader", "志愿服务队 陈队长", Role.TEAM_LEADER, town, None),
        ("resident", "", Role.RESIDENT, village, None),
        ("enterprise", "", Role.ENTERPRISE_REP, town, None),
        ("provider", "公交公司 核验员", Role.INCENTIVE_PROVIDER, county, None),
        ("canteen", f"{village.name} 暖心食堂 管理员", Role.CANTEEN_MANAGER, village, None),
        ("lecturer", "宣讲员 孙老师", Role.LECTURER, town, None),
        ("auditor", "审计员 周审计", Role.AUDITOR, county, None),
        ("admin", "平台管理员", Role.PLATFORM_ADMIN, county, None),
    ]
    resident_subject = (
        Subject.objects.filter(
            village=village, kind=Subject.Kind.PERSON, person__birth_date__year__lte=1990, person__consent_given=True
        )
        .exclude(account_links__isnull=False)
        .order_by("id")
        .first()
    )
    enterprise_subject = (
        Subject.objects.filter(town=town, kind=Subject.Kind.ENTERPRISE)
        .exclude(account_links__isnull=False)
        .order_by("id")
        .first()
    )
    out: list[DemoAccount] = []
    for username, display, role, region, department in plan:
        linked: Subject | None = None
        existing = User.objects.filter(username=username).first()
        if role == Role.RESIDENT:
            link = SubjectAccount.objects.filter(user__username=username).select_related("subject").first()
            linked = link.subject if link else resident_subject
            display = linked.name if linked else "居民"
        elif role == Role.ENTERPRISE_REP:
            link = SubjectAccount.objects.filter(user__username=username).select_related("subject").first()
            linked = link.subject if link else enterprise_subject
            display = f"{linked.name} 代表" if linked else "企业代表"
        if existing is None:
            user = user_create(
                actor=None,
                username=username,
                display_name=display,
                password=DEMO_PASSWORD,
                grants=[GrantSpec(role=role, region=region, department=department)],
            )
            if role == Role.PLATFORM_ADMIN:
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
            if linked is not None:
                relation = (
                    SubjectAccount.Relation.SELF if role == Role.RESIDENT else SubjectAccount.Relation.REPRESENTATIVE
                )
                subject_account_link(actor=None, user=user, subject=linked, relation=relation)
        note = ""
        if linked is not None:
            note = linked.name
            if role == Role.RESIDENT:
                note += f"（{Person.objects.get(pk=linked.pk).id_number_masked}）"
        out.append(
            DemoAccount(
                username=username, display_name=display, role=str(Role(role).label), region=region.name, note=note
            )
        )
    recorder = User.objects.filter(username="recorder").first()
    resident_link = SubjectAccount.objects.filter(user__username="resident").first()
    if recorder is not None and resident_link is not None:
        _stage_deduction(recorder=recorder, subject=resident_link.subject)
    return out


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
