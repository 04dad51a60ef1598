"""Reads of the charity ceremony (公益典礼): the ceremonies, one ceremony, and what its big screen
shows while it runs (:func:`ceremony_live`), in three small queries whatever the county's size.

Everything here is public: the screen shows the batch's public projects (a draft of the batch is
shown only once launched, i.e. published), the sums of the pledges made during the ceremony, and
the latest claims with the sponsor's name or 「爱心人士（匿名）」.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from rongxin.core.errors import NotFound
from rongxin.funds.domain.public import ANONYMOUS_DONOR
from rongxin.projects.domain import states
from rongxin.projects.models import Ceremony, Pledge, Project

ANONYMOUS = ANONYMOUS_DONOR  # 爱心人士（匿名）, as the funds' donation lists
LATEST = 10
ZERO = Decimal("0.00")
FEN = Decimal("0.01")


@dataclass(frozen=True)
class LiveClaim:
    """One of the latest claims on the screen."""

    sponsor: str
    project_id: int
    project: str
    amount: Decimal
    at: dt.datetime
    title: bool


@dataclass(frozen=True)
class BoardRow:
    """A project of the batch on the screen's board."""

    id: int
    number: str
    title: str
    budget: Decimal
    pledged: Decimal
    claimed: bool
    state: str


@dataclass(frozen=True)
class CeremonyLive:
    """What the big screen shows."""

    ceremony: Ceremony
    launched: int
    claimed: int
    pledges: int
    pledged: Decimal
    paid: Decimal
    latest: list[LiveClaim] = field(default_factory=list)
    board: list[BoardRow] = field(default_factory=list)


def ceremony_list() -> list[Ceremony]:
    """Every ceremony, newest year first, each with the size of its batch (``batch``)."""
    return list(Ceremony.objects.annotate(batch=Count("projects")).order_by("-year"))


def ceremony_get(*, year: int) -> Ceremony:
    """The ceremony of ``year`` (NotFound otherwise)."""
    ceremony = Ceremony.objects.filter(year=year).first()
    if ceremony is None:
        raise NotFound()
    return ceremony


def ceremony_latest() -> Ceremony | None:
    """The newest ceremony, if any."""
    return Ceremony.objects.order_by("-year").first()


def ceremony_running(*, at: dt.datetime) -> Ceremony | None:
    """The ceremony under way at ``at`` (started, not ended), if any: a pledge made then belongs
    to it (``Pledge.ceremony``)."""
    return Ceremony.objects.filter(starts_at__lte=at, ends_at__gt=at).order_by("-starts_at").first()


def ceremony_batch(*, ceremony: Ceremony) -> list[Project]:
    """Every project of the batch, drafts included (the centre's working list), by number."""
    return list(Project.objects.filter(ceremony=ceremony).select_related("region").order_by("number"))


def ceremony_live(*, ceremony: Ceremony) -> CeremonyLive:
    """What the screen shows, in three queries: the batch's public projects (the board, and from
    it the number launched and claimed: fully pledged), the count and sums of the pledges made
    during the ceremony (``Pledge.ceremony``, withdrawn ones left out: pledged, and paid so far),
    and the latest :data:`LATEST` of those pledges (index ``pledge_ceremony_day``)."""
    board = [
        BoardRow(
            id=row["pk"],
            number=row["number"],
            title=row["title_name"] or row["title"],
            budget=row["budget"],
            pledged=row["pledged"],
            claimed=row["pledged"] >= row["budget"],
            state=row["state"],
        )
        for row in Project.objects.filter(ceremony=ceremony, state__in=states.PUBLIC)
        .order_by("number")
        .values("pk", "number", "title", "title_name", "budget", "pledged", "state")
    ]
    live = Pledge.objects.filter(ceremony=ceremony).filter(~Q(state=Pledge.State.WITHDRAWN))
    sums = live.aggregate(n=Count("pk"), pledged=Sum("amount"), paid=Sum("paid"))
    latest = [
        LiveClaim(
            sponsor=ANONYMOUS if row["anonymous"] else row["sponsor_name"],
            project_id=row["project_id"],
            project=row["project__title_name"] or row["project__title"],
            amount=row["amount"],
            at=row["pledged_at"],
            title=row["title"],
        )
        for row in live.order_by("-pledged_at", "-pk").values(
            "sponsor_name",
            "anonymous",
            "amount",
            "pledged_at",
            "title",
            "project_id",
            "project__title",
            "project__title_name",
        )[:LATEST]
    ]
    return CeremonyLive(
        ceremony=ceremony,
        launched=len(board),
        claimed=sum(1 for r in board if r.claimed),
        pledges=sums["n"] or 0,
        pledged=(sums["pledged"] or ZERO).quantize(FEN),
        paid=(sums["paid"] or ZERO).quantize(FEN),
        latest=latest,
        board=board,
    )


def project_ids_by_number(numbers: list[str]) -> dict[str, int]:
    """The ids of the projects with these numbers (unknown numbers are left out)."""
    return dict(Project.objects.filter(number__in=numbers).values_list("number", "pk"))
