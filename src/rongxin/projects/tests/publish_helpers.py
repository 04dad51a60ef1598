"""What the publish tests share: a valid project's facts, a pledge written straight into the
database (the sponsor's services are tested on their own), and a snapshot of what a denied call
must leave unchanged."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from rongxin.core import clock
from rongxin.core.models import AuditEvent
from rongxin.funds.models import Account
from rongxin.projects.models import Milestone, Pledge, Project
from rongxin.projects.tests.helpers import MarketWorld
from rongxin.subjects.models import Subject

_codes = itertools.count(1)


def facts(world: MarketWorld, **changes: Any) -> dict[str, Any]:
    """The facts of a valid project of town A's institute (village A1)."""
    return {
        "title": "夕阳红助浴",
        "need": "为村里行动不便的老人每月上门助浴一次。",
        "beneficiaries": "行动不便的独居老人",
        "beneficiary_count": 12,
        "region_code": world.tree.village_a1.code,
        "category": "elderly",
        "budget": "12000",
        "starts_on": dt.date(2026, 6, 1),
        "ends_on": dt.date(2026, 11, 30),
        "team_kind": "service",
    } | changes


def pledge(
    project: Project,
    sponsor: Subject,
    amount: str,
    *,
    anonymous: bool = False,
    title: bool = False,
    paid: str = "0.00",
    state: str = Pledge.State.OPEN,
) -> Pledge:
    """A pledge straight into the database, with the project's ``pledged`` (and, for a title
    sponsor, ``title_sponsor``/``title_name``) kept as the pledge service would."""
    p = Pledge.objects.create(
        project=project,
        sponsor=sponsor,
        sponsor_name=sponsor.name,
        anonymous=anonymous,
        title=title,
        amount=Decimal(amount),
        paid=Decimal(paid),
        state=state,
        certificate_code=f"ZS-TEST-{next(_codes):06d}",
        pledged_at=clock.now(),
    )
    if state != Pledge.State.WITHDRAWN:
        project.pledged += Decimal(amount)
        fields = ["pledged"]
        if title:
            project.title_sponsor = sponsor
            project.title_name = f"{sponsor.name}·{project.title}"
            fields += ["title_sponsor", "title_name"]
        project.save(update_fields=fields)
    return p


def snapshot() -> tuple[Any, ...]:
    """Everything a publisher's write could change."""
    return (
        list(Project.objects.order_by("id").values_list("id", "state", "title", "budget", "pledged", "close_reason")),
        list(Pledge.objects.order_by("id").values_list("id", "state", "withdraw_reason")),
        list(Milestone.objects.order_by("id").values_list("id", "title")),
        Account.objects.count(),
        AuditEvent.objects.filter(kind="write").count(),
    )
