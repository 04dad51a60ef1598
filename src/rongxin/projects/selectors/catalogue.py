"""The public catalogue of the project marketplace (项目超市): the projects anyone may see, with
filters (state, town, category, a text search), three orders and pages of 20.

Two queries per page whatever the page holds or the county's size: the count and the page's rows
(only the columns a card shows, the region's and its town's names by join). The town filter is a
subquery on the regions (the town itself and its villages), so both queries use the project
indexes on ``(state, published_at)``, ``(region, state)`` and ``(category, state)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core.errors import NotFound, field_error
from rongxin.core.text import clean_text
from rongxin.projects.domain import states
from rongxin.projects.models import Project
from rongxin.projects.permissions.common import is_auditor, managed_projects_q, publisher_seats
from rongxin.regions.models import Region

PER_PAGE = 20
MAX_PAGE = 10_000
MAX_QUERY = 60
SORTS = ("newest", "needed", "raised")
# The order of the public states in a filter's choices: the life of a project.
PUBLIC_STATES = tuple(s for s in states.STATES if s in states.PUBLIC)

_ORDER: dict[str, tuple[Any, ...]] = {
    "newest": (F("published_at").desc(nulls_last=True), "-id"),
    # The most still to be pledged first (budget − pledged).
    "needed": ((F("budget") - F("pledged")).desc(), "-id"),
    "raised": ("-raised", "-id"),
}

_COLUMNS = (
    "id",
    "number",
    "title",
    "title_name",
    "category",
    "state",
    "budget",
    "pledged",
    "raised",
    "beneficiary_count",
    "starts_on",
    "ends_on",
    "published_at",
    "region__name",
    "region__parent__name",
    "region__level",
)


@dataclass(frozen=True)
class CatalogueRow:
    """What a card of the catalogue shows."""

    id: int
    number: str
    title: str
    shown_title: str  # the sponsored title when a title sponsor named it
    category: str
    category_label: str
    state: str
    state_label: str
    budget: Decimal
    pledged: Decimal
    raised: Decimal
    beneficiary_count: int
    starts_on: dt.date
    ends_on: dt.date
    published_at: dt.datetime | None
    region_name: str
    town_name: str  # the region's town ("" for a project of the town itself or the county)

    @property
    def needed(self) -> Decimal:
        """What is still to be pledged."""
        return max(self.budget - self.pledged, Decimal("0.00"))

    @property
    def raised_percent(self) -> int:
        """Raised as a whole percentage of the budget (0–100), for the progress bar."""
        if self.budget <= 0:
            return 0
        return min(100, int(self.raised * 100 / self.budget))


@dataclass(frozen=True)
class CataloguePage:
    rows: list[CatalogueRow]
    total: int
    page: int
    pages: int
    per_page: int


def catalogue_filter(*, state: str = "", town_code: str = "", category: str = "", q: str = "") -> Q:
    """The condition of the catalogue's filters (only public states, whatever is asked).
    InvalidInput naming the field for an unknown state or category, or a search with control
    characters."""
    state = (state or "").strip()
    category = (category or "").strip()
    town_code = (town_code or "").strip()
    text = clean_text(q, field="q", required=False, max_length=MAX_QUERY, multiline=False)
    cond = Q(state__in=PUBLIC_STATES)
    if state:
        if state not in PUBLIC_STATES:
            raise field_error("state", _("Choose a state from the list."), code="bad_state")
        cond &= Q(state=state)
    if category:
        if category not in Project.Category.values:
            raise field_error("category", _("Choose a category from the list."), code="bad_category")
        cond &= Q(category=category)
    if town_code:
        in_town = Region.objects.filter(Q(code=town_code) | Q(parent__code=town_code)).values("id")
        cond &= Q(region_id__in=in_town)
    if text:
        cond &= Q(title__icontains=text) | Q(number__icontains=text) | Q(title_name__icontains=text)
    return cond


def _row(v: dict[str, Any]) -> CatalogueRow:
    town = v["region__parent__name"] if v["region__level"] == Region.Level.VILLAGE else ""
    return CatalogueRow(
        id=v["id"],
        number=v["number"],
        title=v["title"],
        shown_title=v["title_name"] or v["title"],
        category=v["category"],
        category_label=str(Project.Category(v["category"]).label),
        state=v["state"],
        state_label=str(Project.State(v["state"]).label),
        budget=v["budget"],
        pledged=v["pledged"],
        raised=v["raised"],
        beneficiary_count=v["beneficiary_count"],
        starts_on=v["starts_on"],
        ends_on=v["ends_on"],
        published_at=v["published_at"],
        region_name=v["region__name"],
        town_name=town or "",
    )


def catalogue_queryset(cond: Q, sort: str) -> QuerySet[Project]:
    if sort not in _ORDER:
        raise field_error("sort", _("Choose an order from the list."), code="bad_sort")
    return Project.objects.filter(cond).order_by(*_ORDER[sort])


def catalogue_page(
    *, state: str = "", town_code: str = "", category: str = "", q: str = "", sort: str = "newest", page: int = 1
) -> CataloguePage:
    """A page (1, 2, …; 20 rows) of the public projects matching the filters, in ``sort`` order
    (``newest``: published last first; ``needed``: most still to be pledged first; ``raised``:
    most raised first), with the total. A page past the last is empty. Two queries. Raises
    InvalidInput (``state``, ``category``, ``sort``, ``q``)."""
    cond = catalogue_filter(state=state, town_code=town_code, category=category, q=q)
    qs = catalogue_queryset(cond, sort or "newest")
    number = min(max(int(page), 1), MAX_PAGE)
    total = Project.objects.filter(cond).count()
    start = (number - 1) * PER_PAGE
    rows = [_row(v) for v in qs.values(*_COLUMNS)[start : start + PER_PAGE]]
    return CataloguePage(
        rows=rows,
        total=total,
        page=number,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        per_page=PER_PAGE,
    )


def catalogue_towns() -> list[Region]:
    """The towns, for the catalogue's filter (in code order)."""
    return list(Region.objects.filter(level=Region.Level.TOWN).order_by("code"))


# --- The staff list --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ManagedPage:
    rows: list[CatalogueRow]
    total: int
    page: int
    pages: int
    per_page: int
    counts: dict[str, int]  # projects per state (every state, 0 included), before the state filter


def manages_projects(actor: User | AnonymousUser | None) -> bool:
    """Whether the actor has a staff list: a publisher seat (the county centre among them) or an
    auditor's grant."""
    return bool(publisher_seats(actor)) or is_auditor(actor)


def managed_page(*, actor: User | AnonymousUser | None, state: str = "", page: int = 1) -> ManagedPage:
    """A page (20 rows, newest first, drafts included) of the projects the actor publishes or
    oversees (:func:`~rongxin.projects.permissions.common.managed_projects_q`), in ``state`` when
    given, with the number of projects in each state. Three queries. Raises NotFound (no staff
    list), InvalidInput (``state``)."""
    if not manages_projects(actor):
        raise NotFound()
    state = (state or "").strip()
    if state and state not in states.STATES:
        raise field_error("state", _("Choose a state from the list."), code="bad_state")
    mine = Project.objects.filter(managed_projects_q(actor))
    counts = dict.fromkeys(states.STATES, 0)
    for row in mine.order_by().values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    chosen = mine.filter(state=state) if state else mine
    total = counts[state] if state else sum(counts.values())
    number = min(max(int(page), 1), MAX_PAGE)
    start = (number - 1) * PER_PAGE
    rows = [_row(v) for v in chosen.order_by("-created_at", "-id").values(*_COLUMNS)[start : start + PER_PAGE]]
    return ManagedPage(
        rows=rows,
        total=total,
        page=number,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        per_page=PER_PAGE,
        counts=counts,
    )
