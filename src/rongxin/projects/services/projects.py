"""A project's publisher side: create and change a draft, publish it, withdraw it, plan its
milestones.

Who may: a publisher seat (:func:`rongxin.projects.permissions.common.publisher_seats`) to create;
the project's publisher (or the county centre overseeing it,
:func:`~rongxin.projects.permissions.common.publisher_role`) for everything else. The right is
asked before any input is looked at; missing and forbidden are the same NotFound.

A seat decides who publishes (``Project.publisher``), from which region and, for a department,
which department. The project's region lies within the seat's: a village's station publishes
for its village, a town's institute for the town and its villages, the county centre and a
department anywhere in the county.

Lock order (``services/common``): the project marketplace fund's row, then the project's row, then
its pledges' rows.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.funds.services.books import fund_locked
from rongxin.funds.services.budget import day_in
from rongxin.funds.services.movements import amount_parse
from rongxin.projects.models import Milestone, Pledge, Project
from rongxin.projects.permissions.common import PublisherSeat, access_project, publisher_role, publisher_seats
from rongxin.projects.services.common import (
    actor_or_none,
    numbered_create,
    project_accounts,
    project_locked,
    projects_fund,
    require_allowed,
    transition,
)
from rongxin.regions.models import Region
from rongxin.volunteering.models import Team

MAX_BUDGET = Decimal("5000000.00")
MAX_YEARS = 3
MAX_BENEFICIARIES = 1_000_000
# The same publisher sending the same title again within this window gets the draft already made.
DUPLICATE_WINDOW = dt.timedelta(minutes=2)

# Fields a draft's change may touch (``project_update``), in the order the form shows them.
EDITABLE_FIELDS = (
    "title",
    "need",
    "beneficiaries",
    "beneficiary_count",
    "region_code",
    "category",
    "budget",
    "starts_on",
    "ends_on",
    "team_kind",
)


@dataclass(frozen=True)
class ProjectInput:
    """A project's facts, checked."""

    title: str
    need: str
    beneficiaries: str
    beneficiary_count: int
    region: Region
    category: str
    budget: Decimal
    starts_on: dt.date
    ends_on: dt.date
    team_kind: str


# --- Seats ---------------------------------------------------------------------------------------
def seat_key(seat: PublisherSeat) -> str:
    """A seat as a short text a form or a client sends back: ``institute:371082001000``,
    ``department:371082000000:3``."""
    key = f"{seat.publisher}:{seat.region.code}"
    return f"{key}:{seat.department_id}" if seat.department_id is not None else key


def seat_label(seat: PublisherSeat) -> str:
    """The seat as people read it: 「崖头街道 · 镇（街道）新时代文明实践所」, a department's name."""
    if seat.department_id is not None and seat.grant.department is not None:
        return f"{seat.grant.department.name} · {seat.region.name}"
    return f"{seat.region.name} · {Project.Publisher(seat.publisher).label}"


def _seat_chosen(seats: list[PublisherSeat], raw: Any) -> PublisherSeat:
    key = "" if raw is None else str(raw).strip()
    if not key:
        return seats[0]
    for seat in seats:
        if seat_key(seat) == key:
            return seat
    raise field_error("seat", _("Choose whom you publish for from the list."), code="bad_seat")


def _county_of(region: Region) -> Region:
    while region.parent_id is not None and region.level != Region.Level.COUNTY:
        parent = region.parent
        assert parent is not None
        region = parent
    return region


def scope_of(publisher: str, publisher_region: Region) -> Region:
    """The region a publisher's projects lie in: the county for the centre and a department,
    the seat's own region for an institute or a station."""
    if publisher in (Project.Publisher.CENTRE, Project.Publisher.DEPARTMENT):
        return _county_of(publisher_region)
    return publisher_region


def regions_within(scopes: list[Region]) -> list[Region]:
    """Every region (county, towns, villages) within one of ``scopes``, in code order: the
    choices of a project's region."""
    found: dict[int, Region] = {}
    for prefix in sorted({s.prefix for s in scopes}):
        for r in Region.objects.filter(prefix__startswith=prefix).order_by("code"):
            found[r.pk] = r
    return sorted(found.values(), key=lambda r: r.code)


def seat_regions(seats: list[PublisherSeat]) -> list[Region]:
    """Every region a project of one of ``seats`` may lie in."""
    return regions_within([scope_of(s.publisher, s.region) for s in seats])


# --- Checking what was typed -----------------------------------------------------------------------
def _count_in(raw: Any) -> int:
    if isinstance(raw, bool):
        raise field_error("beneficiary_count", _("Enter the number of beneficiaries."), code="bad_count")
    if isinstance(raw, int):
        n = raw
    else:
        text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()
        if not text:
            raise field_error("beneficiary_count", _("This field is required."), code="required")
        if not (text.isascii() and text.isdigit()):
            raise field_error("beneficiary_count", _("Enter the number of beneficiaries."), code="bad_count")
        n = int(text)
    if n < 1:
        raise field_error("beneficiary_count", _("A project serves at least one person."), code="bad_count")
    if n > MAX_BENEFICIARIES:
        raise field_error("beneficiary_count", _("The number of beneficiaries is too large."), code="bad_count")
    return n


def _budget_in(raw: Any) -> Decimal:
    budget = amount_parse(raw, field="budget")
    if budget > MAX_BUDGET:
        raise field_error(
            "budget", _("A project's budget is at most ¥5,000,000; split a larger one."), code="budget_too_large"
        )
    return budget


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _region_in(raw: Any, scope: Region) -> Region:
    code = "" if raw is None else str(raw).strip()
    if not code:
        raise field_error("region_code", _("Choose the project's region."), code="required")
    region = Region.objects.filter(code=code).first() if code.isascii() and len(code) <= 20 else None
    if region is None:
        raise field_error("region_code", _("Choose the project's region from the list."), code="bad_region")
    if not scope.contains(region):
        raise field_error(
            "region_code",
            _("The project's region must lie within %(region)s, where you publish.") % {"region": scope.name},
            code="region_outside",
        )
    return region


def project_input(
    *,
    scope: Region,
    title: Any,
    need: Any,
    beneficiaries: Any,
    beneficiary_count: Any,
    region_code: Any,
    category: Any,
    budget: Any,
    starts_on: Any,
    ends_on: Any,
    team_kind: Any,
) -> ProjectInput:
    """The project's facts, each checked in the order the form shows them (the first wrong one
    raises InvalidInput naming its field, with the Chinese reason)."""
    clean_title = clean_text(title, field="title", required=True, max_length=120, multiline=False)
    clean_need = clean_text(need, field="need", required=True, max_length=2000)
    clean_beneficiaries = clean_text(
        beneficiaries, field="beneficiaries", required=True, max_length=200, multiline=False
    )
    count = _count_in(beneficiary_count)
    region = _region_in(region_code, scope)
    if category not in Project.Category.values:
        raise field_error("category", _("Choose the project's category from the list."), code="bad_category")
    amount = _budget_in(budget)
    start = day_in(starts_on, field="starts_on")
    end = day_in(ends_on, field="ends_on")
    if end < start:
        raise field_error("ends_on", _("The project cannot end before it starts."), code="ends_before_start")
    if end > _years_later(start, MAX_YEARS):
        raise field_error("ends_on", _("A project lasts at most three years."), code="too_long")
    if team_kind not in Team.Kind.values:
        raise field_error("team_kind", _("Choose the kind of team the project needs."), code="bad_team_kind")
    return ProjectInput(
        title=clean_title,
        need=clean_need,
        beneficiaries=clean_beneficiaries,
        beneficiary_count=count,
        region=region,
        category=str(category),
        budget=amount,
        starts_on=start,
        ends_on=end,
        team_kind=str(team_kind),
    )


# --- Writes --------------------------------------------------------------------------------------
def project_create(
    *,
    actor: User,
    title: Any,
    need: Any,
    beneficiaries: Any,
    beneficiary_count: Any,
    region_code: Any,
    category: Any,
    budget: Any,
    starts_on: Any,
    ends_on: Any,
    team_kind: Any,
    seat: Any = "",
) -> Project:
    """Create a draft project for one of the actor's publisher seats (``seat``: its
    :func:`seat_key`; the first seat when empty), numbered ``XM<year>-NNNN``, with its three
    accounts opened in the project marketplace fund. The same title sent again by the same
    publisher within two minutes returns the draft already made (nothing twice).

    Writes the project, its accounts and the audit row ``project.create``, in one transaction
    under the fund's lock. Raises NotFound (no publisher seat), InvalidInput (each field; a
    region outside the seat's)."""
    seats = publisher_seats(actor)
    if not seats:
        raise NotFound()
    chosen = _seat_chosen(seats, seat)
    facts = project_input(
        scope=scope_of(chosen.publisher, chosen.region),
        title=title,
        need=need,
        beneficiaries=beneficiaries,
        beneficiary_count=beneficiary_count,
        region_code=region_code,
        category=category,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        team_kind=team_kind,
    )
    fund = projects_fund()
    with transaction.atomic():
        fund_locked(fund.pk)  # one writer at a time: the double-submit check and the number
        now = clock.now()
        same = (
            Project.objects.filter(
                created_by=actor,
                title=facts.title,
                state=Project.State.DRAFT,
                created_at__gte=now - DUPLICATE_WINDOW,
            )
            .order_by("id")
            .first()
        )
        if same is not None:
            return same
        project = numbered_create(
            Project,
            "XM",
            clock.today_local().year,
            title=facts.title,
            need=facts.need,
            beneficiaries=facts.beneficiaries,
            beneficiary_count=facts.beneficiary_count,
            region=facts.region,
            category=facts.category,
            budget=facts.budget,
            starts_on=facts.starts_on,
            ends_on=facts.ends_on,
            team_kind=facts.team_kind,
            publisher=chosen.publisher,
            publisher_region=chosen.region,
            publisher_department_id=chosen.department_id,
            state=Project.State.DRAFT,
            created_at=now,
            created_by=actor_or_none(actor),
        )
        assert isinstance(project, Project)
        project_accounts(project, fund)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="project.create",
            role=chosen.grant.role,
            object_type="project",
            object_id=project.pk,
            details={
                "number": project.number,
                "publisher": chosen.publisher,
                "publisher_region": chosen.region.code,
                "region": facts.region.code,
                "budget": str(facts.budget),
            },
        )
    return project


def _managed(actor: User | None, project_id: int) -> tuple[Project, str]:
    """The project the actor runs as publisher, and the role they run it under; NotFound
    otherwise (before any input is looked at)."""
    project = access_project(actor, project_id, manage=True)
    return project, publisher_role(actor, project)


def project_update(
    *,
    actor: User,
    project_id: int,
    title: Any = None,
    need: Any = None,
    beneficiaries: Any = None,
    beneficiary_count: Any = None,
    region_code: Any = None,
    category: Any = None,
    budget: Any = None,
    starts_on: Any = None,
    ends_on: Any = None,
    team_kind: Any = None,
) -> Project:
    """Change a draft project (its publisher): each argument that is not None replaces the
    fact; the rest stay. The region stays within the publisher's.

    Writes the project and the audit row ``project.update`` (the fields changed). Raises
    NotFound (not a project the actor publishes), Conflict ``not_now`` (no longer a draft),
    InvalidInput (each field)."""
    found, role = _managed(actor, project_id)
    given = {
        "title": title,
        "need": need,
        "beneficiaries": beneficiaries,
        "beneficiary_count": beneficiary_count,
        "region_code": region_code,
        "category": category,
        "budget": budget,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "team_kind": team_kind,
    }
    with transaction.atomic():
        project = project_locked(found.pk)
        require_allowed(project, "edit")
        current: dict[str, Any] = {
            "title": project.title,
            "need": project.need,
            "beneficiaries": project.beneficiaries,
            "beneficiary_count": project.beneficiary_count,
            "region_code": found.region.code,
            "category": project.category,
            "budget": project.budget,
            "starts_on": project.starts_on,
            "ends_on": project.ends_on,
            "team_kind": project.team_kind,
        }
        merged = {k: (v if v is not None else current[k]) for k, v in given.items()}
        facts = project_input(scope=scope_of(project.publisher, found.publisher_region), **merged)
        new = {
            "title": facts.title,
            "need": facts.need,
            "beneficiaries": facts.beneficiaries,
            "beneficiary_count": facts.beneficiary_count,
            "region_id": facts.region.pk,
            "category": facts.category,
            "budget": facts.budget,
            "starts_on": facts.starts_on,
            "ends_on": facts.ends_on,
            "team_kind": facts.team_kind,
        }
        changed = [k for k, v in new.items() if getattr(project, k) != v]
        if not changed:
            return project
        for k in changed:
            setattr(project, k, new[k])
        project.save(update_fields=changed)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="project.update",
            role=role,
            object_type="project",
            object_id=project.pk,
            details={"number": project.number, "fields": [k.removesuffix("_id") for k in changed]},
        )
    return project


def project_publish(*, actor: User, project_id: int) -> Project:
    """Publish a draft project (its publisher): it enters the public catalogue and takes pledges.
    A project whose end date has passed is refused (change its dates first).

    Writes the project (state ``published``, ``published_at``) and the audit row
    ``project.publish``. Raises NotFound, Conflict ``not_draft`` / ``ended``."""
    found, role = _managed(actor, project_id)
    with transaction.atomic():
        project = project_locked(found.pk)
        state = transition(project, "publish")
        if project.ends_on < clock.today_local():
            raise Conflict(_("The project's end date has passed; change its dates before publishing it."), code="ended")
        project.state = state
        project.published_at = clock.now()
        project.save(update_fields=["state", "published_at"])
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="project.publish",
            role=role,
            object_type="project",
            object_id=project.pk,
            details={"number": project.number},
        )
    return project


def project_withdraw(*, actor: User, project_id: int, reason: Any) -> Project:
    """Withdraw a project before any money came in and before the work started (its
    publisher): it closes with ``reason``; every pledge still awaiting payment is withdrawn with
    the same reason.

    Writes the project (state ``closed``, ``close_reason``, ``closed_at``, ``pledged`` 0), the
    open pledges (``withdrawn``), an audit row ``pledge.withdraw`` per pledge and
    ``project.withdraw``, in one transaction under the fund's and the project's locks. Raises
    NotFound, InvalidInput (``reason``), Conflict ``already_started`` / ``money_in``."""
    found, role = _managed(actor, project_id)
    why = clean_text(reason, field="reason", required=True, max_length=200, multiline=False)
    fund = projects_fund()
    with transaction.atomic():
        fund_locked(fund.pk)  # payments take it: no payment lands while we look at ``raised``
        project = project_locked(found.pk)
        state = transition(project, "withdraw")
        now = clock.now()
        pledges = list(
            Pledge.objects.select_for_update().filter(project=project, state=Pledge.State.OPEN).order_by("id")
        )
        for pledge in pledges:
            pledge.state = Pledge.State.WITHDRAWN
            pledge.withdrawn_at = now
            pledge.withdraw_reason = why
            pledge.save(update_fields=["state", "withdrawn_at", "withdraw_reason"])
            audit_record(
                actor=actor,
                kind=AuditEvent.Kind.WRITE,
                action="pledge.withdraw",
                role=role,
                object_type="pledge",
                object_id=pledge.pk,
                subject_id=pledge.sponsor_id,
                details={"project": project.pk, "amount": str(pledge.amount), "with_project": True},
            )
        project.state = state
        project.close_reason = why
        project.closed_at = now
        project.pledged = Decimal("0.00")
        project.save(update_fields=["state", "close_reason", "closed_at", "pledged"])
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="project.withdraw",
            role=role,
            object_type="project",
            object_id=project.pk,
            details={"number": project.number, "reason": why, "pledges_withdrawn": [p.pk for p in pledges]},
        )
    return project


def milestone_plan(*, actor: User, project_id: int, title: Any, due_on: Any) -> Milestone:
    """Plan a milestone of the project (its publisher), numbered 1, 2, … per project, due within
    the project's dates; allowed before the work is completed.

    Writes the milestone and the audit row ``milestone.plan``. Raises NotFound, Conflict
    ``not_now``, InvalidInput (``title``, ``due_on``)."""
    found, role = _managed(actor, project_id)
    clean_title = clean_text(title, field="title", required=True, max_length=120, multiline=False)
    due = day_in(due_on, field="due_on")
    with transaction.atomic():
        project = project_locked(found.pk)
        require_allowed(project, "milestone")
        if not project.starts_on <= due <= project.ends_on:
            raise field_error(
                "due_on",
                _("A milestone falls within the project's dates (%(start)s to %(end)s).")
                % {"start": project.starts_on.isoformat(), "end": project.ends_on.isoformat()},
                code="outside_project",
            )
        last = Milestone.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
        milestone = Milestone.objects.create(project=project, number=last + 1, title=clean_title, due_on=due)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="milestone.plan",
            role=role,
            object_type="milestone",
            object_id=milestone.pk,
            details={"project": project.pk, "number": milestone.number, "due_on": due.isoformat()},
        )
    return milestone
