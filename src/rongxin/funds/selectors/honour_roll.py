"""Public reads of the commendations: published honour rolls (光荣榜) and the list of them.

Only a meeting whose status is ``published`` has an honour roll; any other meeting (and an unknown
id) is :class:`~rongxin.core.errors.NotFound`, the same answer, so nobody learns of a meeting still
being prepared. The roll lists the awarded names only, each with their village, a short public
reason (reasons about a credit score or grade are left out, see
:func:`rongxin.funds.domain.public.public_reason`) and the kind of award. The money amount of an
award is shown only where the meeting's region (or a region above it) is listed in the setting
``RONGXIN_FUNDS_HONOUR_AMOUNT_REGIONS`` (region code prefixes; empty by default): what each person
was paid stays off the public poster unless the county decides otherwise, while the total paid is
public in the fund's quarterly statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from rongxin.core.errors import NotFound
from rongxin.core.text import clean_text
from rongxin.funds.domain.public import (
    CATEGORY_ORDER,
    CATEGORY_TITLES,
    HonourGroup,
    HonourName,
    HonourRoll,
    Quarter,
    public_reason,
)
from rongxin.funds.models import Meeting, Nomination
from rongxin.regions.models import Region


def shows_award_amounts(region: Region) -> bool:
    """True when the rules of ``region`` (or a region above it) let the public roll show the money
    amount of each award (``RONGXIN_FUNDS_HONOUR_AMOUNT_REGIONS``)."""
    prefixes = getattr(settings, "RONGXIN_FUNDS_HONOUR_AMOUNT_REGIONS", ()) or ()
    return any(region.prefix.startswith(str(p)) for p in prefixes)


def published_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(status=Meeting.Status.PUBLISHED, published_at__isnull=False)


def honour_roll(*, meeting_id: int) -> HonourRoll:
    """The published honour roll of the meeting: awarded names by category (诚信者, 志愿者,
    干事者), in list order. Raises NotFound for an unknown or unpublished meeting."""
    meeting = published_meetings().select_related("region", "region__parent").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound()
    shows = shows_award_amounts(meeting.region)
    nominations = (
        Nomination.objects.filter(meeting=meeting, status=Nomination.Status.AWARDED)
        .select_related("subject", "subject__village")
        .order_by("id")
    )
    by_category: dict[str, list[HonourName]] = {c: [] for c in CATEGORY_ORDER}
    for n in nominations:
        by_category.setdefault(n.category, []).append(
            HonourName(
                name=n.subject.name,
                village=n.subject.village.name,
                reason=public_reason(n.category, n.reasons),
                award_kind=n.award_kind,
                award_amount=n.award_amount if shows and n.award_kind == Nomination.AwardKind.MONEY else None,
                award_goods=n.award_goods if n.award_kind == Nomination.AwardKind.GOODS else "",
            )
        )
    region = meeting.region
    town = region.parent if region.level == Region.Level.VILLAGE else None
    return HonourRoll(
        meeting_id=meeting.pk,
        region_name=region.name,
        region_level=region.level,
        town_name=town.name if town is not None else "",
        period=Quarter(meeting.year, meeting.quarter),
        title=meeting.title,
        held_on=meeting.held_on,
        published_at=meeting.published_at,
        groups=[
            HonourGroup(category=c, title=CATEGORY_TITLES.get(c, c), names=names)
            for c, names in by_category.items()
            if names
        ],
        shows_amounts=shows,
    )


@dataclass(frozen=True)
class RollRow:
    meeting: Meeting
    names: int


@dataclass(frozen=True)
class RollPage:
    rows: list[RollRow]
    total: int
    offset: int
    limit: int


def honour_rolls(
    *,
    region_id: int | None = None,
    year: int | None = None,
    quarter: int | None = None,
    q: str = "",
    offset: int = 0,
    limit: int = 50,
) -> RollPage:
    """Published honour rolls, newest quarter first then by region code: those of ``region_id``
    and the regions under it (a town: the town's own and its villages'), of a year and quarter,
    of a region whose name contains ``q``. An unknown ``region_id`` gives no row; a ``q`` with
    control characters raises InvalidInput."""
    q = clean_text(q, field="q", required=False, max_length=30, multiline=False)
    qs = published_meetings()
    if region_id is not None:
        region = Region.objects.filter(pk=region_id).first()
        if region is None:
            return RollPage(rows=[], total=0, offset=offset, limit=limit)
        qs = qs.filter(region__prefix__startswith=region.prefix)
    if year is not None:
        qs = qs.filter(year=year)
    if quarter is not None:
        qs = qs.filter(quarter=quarter)
    if q:
        qs = qs.filter(region__name__contains=q)
    total = qs.count()
    page = (
        qs.select_related("region", "region__parent")
        .annotate(names=Count("nominations", filter=Q(nominations__status=Nomination.Status.AWARDED)))
        .order_by("-year", "-quarter", "region__code")[offset : offset + limit]
    )
    return RollPage(rows=[RollRow(meeting=m, names=m.names) for m in page], total=total, offset=offset, limit=limit)
