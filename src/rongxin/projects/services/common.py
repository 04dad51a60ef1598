"""What every projects service shares: the project marketplace fund, a project's row lock and its
accounts, the state machine's refusals in Chinese, and the numbers of projects and wishes.

Lock order (never the other way round, so two writers never wait on each other in a circle): the
project marketplace fund's row (:func:`rongxin.funds.services.books.fund_locked`), then the
project's row (:func:`project_locked`), then a pledge's or wish's row.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import Conflict, NotFound
from rongxin.funds.domain.accounts import project_chart, project_codes
from rongxin.funds.models import Account, Fund
from rongxin.funds.services.books import accounts_open, fund_open
from rongxin.projects.domain import states
from rongxin.projects.models import Project
from rongxin.regions.models import Region

FUND_NAME = "荣信县项目超市公益资金"

# Why the state machine refused an action (``rongxin.projects.domain.states.Refused.code``).
REFUSALS = {
    "not_draft": _("Only a draft project can be published or edited."),
    "already_started": _("The project has started; it can no longer be withdrawn."),
    "money_in": _("Money has been paid into the project; it cannot be withdrawn. Accept it and settle the left-over."),
    "not_open_for_pledges": _("The project is not open for pledges."),
    "over_budget": _("The pledge is more than the project still needs."),
    "not_claimed": _("The project can start only when its whole budget is pledged."),
    "no_team": _("Pick the volunteer team that carries out the project first."),
    "not_in_progress": _("The project is not in progress."),
    "not_completed": _("The project has not been completed yet."),
    "not_accepted": _("The project has not been accepted yet."),
    "left_over": _("The project still holds money; return or move its left-over before closing it."),
    "unknown_action": _("Unknown action."),
}

# Why a write is not allowed in the project's state (``states.allows``).
NOT_NOW = {
    "edit": _("Only a draft project can be edited."),
    "pledge": _("The project is not open for pledges."),
    "pay": _("The project does not take payments now (a draft or a closed project)."),
    "team": _("The team is chosen while the project is published or claimed."),
    "work": _("The project is not in progress."),
    "spend": _("Money is spent while the project is in progress or completed."),
    "settle": _("The left-over is settled after the project is accepted."),
    "milestone": _("Milestones are planned before the work is completed."),
}


def projects_fund(*, county: Region | None = None, opened_on: dt.date | None = None) -> Fund:
    """The county's project marketplace fund, opened (with its chart) on first use."""
    fund = Fund.objects.filter(kind=Fund.Kind.PROJECTS).select_related("region").first()
    if fund is not None:
        return fund
    if county is None:
        county = Region.objects.filter(level=Region.Level.COUNTY).order_by("id").first()
        if county is None:
            raise NotFound()
    return fund_open(
        actor=None,
        kind=Fund.Kind.PROJECTS,
        region=county,
        name=FUND_NAME,
        opened_on=opened_on or clock.today_local(),
    )


def project_locked(project_id: int) -> Project:
    """The project's row, locked for the rest of the caller's transaction (take the fund's lock
    first when money moves)."""
    project = Project.objects.select_for_update().filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    return project


def project_accounts(project: Project, fund: Fund) -> dict[str, Account]:
    """The project's three accounts in the fund (opened if missing): ``income``, ``spending``,
    ``settled``."""
    codes = project_codes(project.pk)
    found = {
        a.code: a for a in Account.objects.filter(fund=fund, code__in=[codes.income, codes.spending, codes.settled])
    }
    if len(found) < 3:
        found = {a.code: a for a in accounts_open(fund=fund, chart=project_chart(project.pk, project.number))}
    return {"income": found[codes.income], "spending": found[codes.spending], "settled": found[codes.settled]}


def project_money_refresh(project: Project, fund: Fund) -> Project:
    """Set the project's ``raised``/``spent``/``settled`` caches from its accounts' balances (call
    under the fund's lock, after posting). Returns the project with the new values."""
    accounts = project_accounts(project, fund)
    project.raised = accounts["income"].balance
    project.spent = accounts["spending"].balance
    project.settled = accounts["settled"].balance
    Project.objects.filter(pk=project.pk).update(raised=project.raised, spent=project.spent, settled=project.settled)
    return project


def facts_of(project: Project) -> states.Facts:
    return states.Facts(
        state=project.state,
        budget=project.budget,
        pledged=project.pledged,
        raised=project.raised,
        spent=project.spent,
        settled=project.settled,
        team_picked=project.team_id is not None,
    )


def transition(project: Project, action: str) -> str:
    """The state ``action`` moves the (locked) project to; Conflict with the Chinese reason when
    the state machine refuses it."""
    try:
        return states.check(action, facts_of(project))
    except states.Refused as refused:
        raise Conflict(REFUSALS.get(refused.code, REFUSALS["unknown_action"]), code=refused.code) from None


def require_allowed(project: Project, kind: str) -> None:
    """Conflict (``not_now``) when a write of ``kind`` is not allowed in the project's state."""
    if not states.allows(kind, project.state):
        raise Conflict(NOT_NOW[kind], code="not_now")


def number_next(model: type[models.Model], prefix: str, year: int) -> str:
    """The next free number ``<prefix><year>-NNNN`` of ``model`` (``XM`` projects, ``XY`` wishes).
    Call inside :func:`numbered_create`, which retries when two writers took the same number."""
    stem = f"{prefix}{year}-"
    last = (
        model.objects.filter(number__startswith=stem)  # type: ignore[attr-defined]
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    match = re.fullmatch(rf"{re.escape(stem)}(\d+)", last or "")
    n = int(match.group(1)) + 1 if match else 1
    return f"{stem}{n:04d}"


def numbered_create(model: type[models.Model], prefix: str, year: int, **fields: object) -> models.Model:
    """Create a row of ``model`` under the next free number (a few retries when a concurrent writer
    took it first)."""
    for _attempt in range(5):
        number = number_next(model, prefix, year)
        try:
            with transaction.atomic():
                return model.objects.create(number=number, **fields)  # type: ignore[attr-defined]
        except IntegrityError:
            if not model.objects.filter(number=number).exists():  # type: ignore[attr-defined]
                raise
    raise Conflict(_("Please try again."), code="busy")


def actor_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


ZERO = Decimal("0.00")
