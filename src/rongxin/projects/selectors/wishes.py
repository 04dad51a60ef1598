"""Reads of small wishes (微心愿).

- :func:`wish_board`: the public list (filters town, village, category, state; newest first; pages
  of 20; two queries whatever the page holds). Public rows (:class:`PublicWish`) carry ONLY what
  anyone may see: the number, wish, story, category, ceiling, state, village, the resident's
  masked name, the claimant's name (or 「爱心人士（匿名）」), the value given and the dates. Never
  the full name, ID number, address, phone or birth date: they are not even read.
- :func:`wish_public`: one wish as the public sees it.
- :func:`wish_record`: the full record for those who read it (``reads_wish``); staff reads are
  audited (``wish.read``).
- :func:`wishes_mine`: a resident's own wishes, the wishes their subjects claimed, a village
  officer's village's wishes.
- :func:`wish_resident_search`: the residents of a village officer's villages, for posting for them.
- :func:`wish_figures`: posted, claimed, confirmed and the value given per year and town.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound
from rongxin.core.models import AuditEvent
from rongxin.projects.domain.masking import mask_name
from rongxin.projects.models import Wish
from rongxin.projects.permissions.common import (
    access_wish,
    own_person_subject,
    reads_wish,
    signed_in,
    sponsor_subjects,
)
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject
from rongxin.subjects.selectors import subject_search_page

PER_PAGE = 20
MAX_PAGE = 10_000
MINE_LIMIT = 200
ANONYMOUS = _("Caring person (anonymous)")
PUBLIC_STATES = (Wish.State.OPEN, Wish.State.CLAIMED, Wish.State.FULFILLED, Wish.State.CONFIRMED)

# The only columns a public row is built from.
_PUBLIC_COLUMNS = (
    "id",
    "number",
    "title",
    "story",
    "category",
    "ceiling",
    "state",
    "value",
    "posted_at",
    "claimed_at",
    "fulfilled_at",
    "confirmed_at",
    "claimant_id",
    "claimant_name",
    "claimant_anonymous",
    "region_id",
)


@dataclass(frozen=True)
class PublicWish:
    id: int
    number: str
    title: str
    story: str
    category: str
    category_label: str
    ceiling: Decimal
    state: str
    state_label: str
    village: str
    town: str
    beneficiary: str  # masked: 「王**」
    claimant: str  # the claimant's name, 「爱心人士（匿名）」, or "" while open
    value: Decimal | None
    posted_at: dt.datetime
    claimed_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    confirmed_at: dt.datetime | None


def public_claimant(name: str, *, anonymous: bool, claimed: bool) -> str:
    if not claimed:
        return ""
    return str(ANONYMOUS) if anonymous or not name else name


def _public_rows(qs: QuerySet[Wish]) -> list[PublicWish]:
    rows = qs.annotate(
        beneficiary_name=F("beneficiary__name"), village_name=F("region__name"), town_name=F("region__parent__name")
    ).values(*_PUBLIC_COLUMNS, "beneficiary_name", "village_name", "town_name")
    out: list[PublicWish] = []
    for r in rows:
        out.append(
            PublicWish(
                id=r["id"],
                number=r["number"],
                title=r["title"],
                story=r["story"],
                category=r["category"],
                category_label=str(Wish.Category(r["category"]).label),
                ceiling=r["ceiling"],
                state=r["state"],
                state_label=str(Wish.State(r["state"]).label),
                village=r["village_name"],
                town=r["town_name"] or "",
                beneficiary=mask_name(r["beneficiary_name"]),
                claimant=public_claimant(
                    r["claimant_name"], anonymous=r["claimant_anonymous"], claimed=r["claimant_id"] is not None
                ),
                value=r["value"],
                posted_at=r["posted_at"],
                claimed_at=r["claimed_at"],
                fulfilled_at=r["fulfilled_at"],
                confirmed_at=r["confirmed_at"],
            )
        )
    return out


@dataclass(frozen=True)
class WishBoard:
    rows: list[PublicWish]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)


def wish_board(
    *,
    town_id: int | None = None,
    village_id: int | None = None,
    category: str = "",
    state: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> WishBoard:
    """One page of the public list of small wishes (withdrawn ones are not public), newest first.
    An unknown category or state finds nothing. Two queries (the count and the page)."""
    qs = Wish.objects.filter(state__in=PUBLIC_STATES)
    if town_id is not None:
        qs = qs.filter(region__parent_id=town_id)
    if village_id is not None:
        qs = qs.filter(region_id=village_id)
    if category:
        qs = qs.filter(category=category)
    if state:
        qs = qs.filter(state=state)
    page = min(max(page, 1), MAX_PAGE)
    total = qs.count()
    start = (page - 1) * per_page
    rows = _public_rows(qs.order_by("-posted_at", "-id")[start : start + per_page])
    return WishBoard(rows=rows, total=total, page=page, per_page=per_page)


def wish_towns() -> list[Region]:
    """The towns (for the list's filter)."""
    return list(Region.objects.filter(level=Region.Level.TOWN).order_by("code"))


def wish_villages_of(town_id: int | None) -> list[Region]:
    """The villages of a town (for the list's filter; none without a town)."""
    if town_id is None:
        return []
    return list(Region.objects.filter(level=Region.Level.VILLAGE, parent_id=town_id).order_by("code"))


def wish_public(*, actor: User | AnonymousUser | None, wish_id: int) -> PublicWish:
    """One wish as the public sees it (NotFound: missing, or withdrawn and not the actor's to read)."""
    wish = access_wish(actor, wish_id)
    [row] = _public_rows(Wish.objects.filter(pk=wish.pk))
    return row


@dataclass(frozen=True)
class WishRecord:
    wish: Wish
    beneficiary_name: str
    village: str
    town: str
    claimant_name: str  # the full name, even when the public sees 「爱心人士（匿名）」


def wish_record(*, actor: User | AnonymousUser | None, wish_id: int) -> WishRecord:
    """The wish's full record (the resident's full name, the claimant's name even if anonymous to
    the public, the reasons and notes) for those who read it: the resident, the village's and the
    town's officers, the claimant's speakers, auditors. A staff read (not the resident's nor the
    claimant's own) is audited (``wish.read``). NotFound otherwise."""
    wish = access_wish(actor, wish_id)
    if not reads_wish(actor, wish):
        raise NotFound()
    assert signed_in(actor)
    wish = Wish.objects.select_related("region__parent", "beneficiary").get(pk=wish.pk)
    own = own_person_subject(actor)
    mine = own is not None and own.pk == wish.beneficiary_id
    claims = wish.claimant_id is not None and wish.claimant_id in {s.pk for s in sponsor_subjects(actor)}
    if not mine and not claims:
        role = next(
            (g.role for g in grants_with_roles(actor, [Role.AUDITOR, Role.VILLAGE_OFFICER, Role.TOWN_OFFICER])),
            "",
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.READ,
            action="wish.read",
            role=role,
            object_type="wish",
            object_id=wish.pk,
            subject_id=wish.beneficiary_id,
            details={"number": wish.number},
        )
    parent = wish.region.parent
    return WishRecord(
        wish=wish,
        beneficiary_name=wish.beneficiary.name,
        village=wish.region.name,
        town=parent.name if parent is not None else "",
        claimant_name=wish.claimant_name,
    )


def officer_villages(actor: User | AnonymousUser | None) -> list[Region]:
    """The villages the actor is a village officer of (who posts and confirms wishes for them)."""
    return sorted(
        (g.region for g in grants_with_roles(actor, [Role.VILLAGE_OFFICER]) if g.region.level == Region.Level.VILLAGE),
        key=lambda r: r.code,
    )


@dataclass(frozen=True)
class WishesMine:
    own: list[Wish]  # the resident's own wishes
    claimed: list[Wish]  # the wishes the actor's subjects claimed
    village: list[Wish]  # a village officer's villages' wishes
    villages: list[Region]


def wishes_mine(*, actor: User | AnonymousUser | None) -> WishesMine:
    """The wishes that are the actor's business: their own (a resident), those their subjects
    claimed (a resident or an enterprise representative), their villages' (a village officer);
    each newest first, at most :data:`MINE_LIMIT`. NotFound for an actor with none of these roles."""
    if not signed_in(actor):
        raise NotFound()
    own_subject = own_person_subject(actor)
    sponsors = [s.pk for s in sponsor_subjects(actor)]
    villages = officer_villages(actor)
    if own_subject is None and not sponsors and not villages:
        raise NotFound()
    base = Wish.objects.select_related("region__parent", "beneficiary").order_by("-posted_at", "-id")
    own = list(base.filter(beneficiary_id=own_subject.pk)[:MINE_LIMIT]) if own_subject is not None else []
    claimed = list(base.filter(claimant_id__in=sponsors)[:MINE_LIMIT]) if sponsors else []
    village = list(base.filter(region__in=villages)[:MINE_LIMIT]) if villages else []
    return WishesMine(own=own, claimed=claimed, village=village, villages=villages)


@dataclass(frozen=True)
class ResidentChoice:
    subject_id: int
    name: str
    village: str
    id_number_masked: str


def wish_resident_search(*, actor: User | AnonymousUser | None, query: str) -> list[ResidentChoice]:
    """The persons of the actor's villages (a village officer) matching ``query`` (a name or an ID
    number), through the credit files' search (audited there as ``subject.search``). NotFound for
    an actor who is no village officer; InvalidInput for a query the search refuses."""
    villages = {v.pk: v for v in officer_villages(actor)}
    if not villages:
        raise NotFound()
    assert signed_in(actor)
    page = subject_search_page(actor=actor, query=query, per_page=50)
    return [
        ResidentChoice(
            subject_id=s.pk,
            name=s.name,
            village=villages[s.village_id].name,
            id_number_masked=s.person.id_number_masked,
        )
        for s in page.results
        if s.kind == Subject.Kind.PERSON and s.village_id in villages
    ]


@dataclass(frozen=True)
class WishFigureRow:
    year: int
    town_id: int
    town: str
    posted: int
    claimed: int  # ever claimed: claimed, delivered or received
    confirmed: int
    value: Decimal  # the value given of the received wishes


def wish_figures(*, year: int | None = None, town_id: int | None = None) -> list[WishFigureRow]:
    """Small wishes per year posted (in the county's time) and town: posted (withdrawn ones
    included), claimed (claimed, delivered or received), received, and the value given of the
    received ones. One query."""
    qs: Any = Wish.objects.annotate(year=ExtractYear("posted_at", tzinfo=clock.LOCAL_TZ))
    if year is not None:
        qs = qs.filter(year=year)
    if town_id is not None:
        qs = qs.filter(region__parent_id=town_id)
    confirmed = Q(state=Wish.State.CONFIRMED)
    rows = (
        qs.values("year", "region__parent_id", "region__parent__name")
        .annotate(
            posted=Count("id"),
            claimed=Count("id", filter=Q(state__in=[Wish.State.CLAIMED, Wish.State.FULFILLED, Wish.State.CONFIRMED])),
            confirmed=Count("id", filter=confirmed),
            value=Coalesce(
                Sum("value", filter=confirmed),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
        )
        .order_by("year", "region__parent_id")
    )
    return [
        WishFigureRow(
            year=r["year"],
            town_id=r["region__parent_id"],
            town=r["region__parent__name"] or "",
            posted=r["posted"],
            claimed=r["claimed"],
            confirmed=r["confirmed"],
            value=Decimal(r["value"]).quantize(Decimal("0.01")),
        )
        for r in rows
    ]
