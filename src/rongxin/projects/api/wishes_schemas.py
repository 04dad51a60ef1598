"""Schemas and presenters of the small wishes endpoints (names unique across the API: ``Wish…``).

A public schema (:class:`WishPublicOut`) has ONLY what anyone may see: never the resident's full
name, ID number, address, phone or birth date. The full record (:class:`WishRecordOut`) is for
those who read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from rongxin.projects.models import Wish
from rongxin.projects.selectors.wishes import MAX_PAGE, PublicWish, WishFigureRow, WishRecord

Amount = str | int


class WishPublicOut(Schema):
    id: int
    number: str = Field(description="XY<year>-NNNN")
    title: str
    story: str
    category: str
    category_label: str
    ceiling: Decimal = Field(description="The ceiling value in yuan.")
    state: str = Field(description="open, claimed, fulfilled (delivered) or confirmed (received).")
    state_label: str
    village: str
    town: str
    beneficiary: str = Field(description="The resident's masked name (the surname and one * per other character).")
    claimant: str = Field(description='The claimant\'s name, "爱心人士（匿名）" when anonymous, "" while open.')
    value: Decimal | None = Field(None, description="The value given in yuan, once delivered.")
    posted_at: dt.datetime
    claimed_at: dt.datetime | None = None
    fulfilled_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None


class WishPage(Schema):
    total: int
    page: int
    per_page: int
    items: list[WishPublicOut]


class WishListQuery(Schema):
    town: int | None = Field(None, description="A town's id.")
    village: int | None = Field(None, description="A village's id.")
    category: str = Field("", description="study, daily, health, home or company.")
    state: str = Field("", description="open, claimed, fulfilled or confirmed.")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class WishRecordOut(Schema):
    id: int
    number: str
    title: str
    story: str
    category: str
    ceiling: Decimal
    state: str
    village: str
    town: str
    beneficiary_subject_id: int
    beneficiary_name: str
    posted_at: dt.datetime
    claimant_subject_id: int | None
    claimant_name: str
    claimant_anonymous: bool
    claimed_at: dt.datetime | None
    value: Decimal | None
    fulfil_note: str
    fulfilled_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    thanks: str
    withdrawn_at: dt.datetime | None
    withdraw_reason: str
    credit_points: int | None
    credit_status: str


class WishMineOut(Schema):
    own: list[WishRecordOut]
    claimed: list[WishRecordOut]
    village: list[WishRecordOut]


class WishPostIn(Schema):
    title: str = Field(description="The wish, one line (at most 60 characters).")
    story: str = Field(description="Why the resident wishes it (at most 500 characters).")
    category: str = Field(description="study, daily, health, home or company.")
    ceiling: Amount = Field(description='Yuan, above zero, at most the county\'s ceiling (a string such as "300.00").')
    beneficiary_subject_id: int | None = Field(
        None, description="A village officer: the resident's subject id (from /subjects/search). A resident: empty."
    )


class WishClaimIn(Schema):
    claimant_subject_id: int = Field(description="Your own person file or an enterprise you represent.")
    anonymous: bool = False


class WishFulfilIn(Schema):
    value: Amount = Field(description="The value given in yuan, above zero, at most the wish's ceiling.")
    note: str = Field(description="What was given (one line).")


class WishConfirmIn(Schema):
    thanks: str = ""


class WishWithdrawIn(Schema):
    reason: str


class WishFigureOut(Schema):
    year: int
    town_id: int
    town: str
    posted: int
    claimed: int
    confirmed: int
    value: Decimal


def public_out(w: PublicWish) -> WishPublicOut:
    return WishPublicOut(
        id=w.id,
        number=w.number,
        title=w.title,
        story=w.story,
        category=w.category,
        category_label=w.category_label,
        ceiling=w.ceiling,
        state=w.state,
        state_label=w.state_label,
        village=w.village,
        town=w.town,
        beneficiary=w.beneficiary,
        claimant=w.claimant,
        value=w.value,
        posted_at=w.posted_at,
        claimed_at=w.claimed_at,
        fulfilled_at=w.fulfilled_at,
        confirmed_at=w.confirmed_at,
    )


def wish_out(w: Wish) -> WishRecordOut:
    """A wish in full (the caller has checked that the actor reads it)."""
    parent = w.region.parent if w.region.parent_id is not None else None
    return WishRecordOut(
        id=w.pk,
        number=w.number,
        title=w.title,
        story=w.story,
        category=w.category,
        ceiling=w.ceiling,
        state=w.state,
        village=w.region.name,
        town=parent.name if parent is not None else "",
        beneficiary_subject_id=w.beneficiary_id,
        beneficiary_name=w.beneficiary.name,
        posted_at=w.posted_at,
        claimant_subject_id=w.claimant_id,
        claimant_name=w.claimant_name,
        claimant_anonymous=w.claimant_anonymous,
        claimed_at=w.claimed_at,
        value=w.value,
        fulfil_note=w.fulfil_note,
        fulfilled_at=w.fulfilled_at,
        confirmed_at=w.confirmed_at,
        thanks=w.thanks,
        withdrawn_at=w.withdrawn_at,
        withdraw_reason=w.withdraw_reason,
        credit_points=w.credit_points,
        credit_status=w.credit_status,
    )


def record_out(r: WishRecord) -> WishRecordOut:
    return wish_out(r.wish)


def figure_out(r: WishFigureRow) -> WishFigureOut:
    return WishFigureOut(
        year=r.year,
        town_id=r.town_id,
        town=r.town,
        posted=r.posted,
        claimed=r.claimed,
        confirmed=r.confirmed,
        value=r.value,
    )
