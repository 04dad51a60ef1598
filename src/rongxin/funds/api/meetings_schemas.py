"""Schemas of the commendation endpoints (names prefixed ``Meeting``/``Nomination`` to stay
unique across the API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

Amount = str | int | None


class MeetingIn(Schema):
    region_id: int = Field(description="A town or village whose meetings you run.")
    year: int
    quarter: int = Field(description="1 to 4; a quarter that has ended or the current one.")
    title: str = Field("", max_length=400)


class MeetingOut(Schema):
    id: int
    region_id: int
    region: str
    fund_id: int
    year: int
    quarter: int
    title: str
    status: str = Field(description="draft | publicity | awarding | published | cancelled")
    publicity_days: int
    publicity_starts_on: dt.date | None
    publicity_ends_on: dt.date | None
    held_on: dt.date | None = Field(description="The day the awards were paid.")
    published_at: dt.datetime | None


class MeetingReasonOut(Schema):
    code: str
    text: str


class NominationOut(Schema):
    id: int
    subject_id: int
    name: str
    village: str
    category: str = Field(description="honest | volunteer | doer")
    origin: str = Field(description="data | committee")
    status: str = Field(description="proposed | removed | excluded | withdrawn | awarded")
    status_reason: str = Field(description="Why a name was removed, excluded or withdrawn.")
    reasons: list[MeetingReasonOut]
    award_kind: str = Field(description="money | goods | certificate, or empty")
    award_amount: Decimal | None
    award_goods: str
    award_entry_id: int | None
    credit_status: str = Field(description="created | held | existing | capped | no_rule, or empty")
    credit_points: int | None


class MeetingObjectionOut(Schema):
    id: int
    nomination_id: int
    name: str
    text: str
    contact: str
    lodged_at: dt.datetime
    status: str = Field(description="open | upheld | dismissed")
    answer: str
    answered_at: dt.datetime | None


class MeetingBoardOut(Schema):
    meeting: MeetingOut
    names: list[NominationOut] = Field(description="Proposed and awarded names.")
    others: list[NominationOut] = Field(description="Removed, excluded and withdrawn names, with why.")
    objections: list[MeetingObjectionOut]
    money: Decimal
    goods: Decimal


class NominationAddIn(Schema):
    subject_id: int
    category: str = Field(description="honest | volunteer | doer")
    reason: str = Field(max_length=1000)


class NominationRemoveIn(Schema):
    reason: str = Field(max_length=1000)


class NominationAwardIn(Schema):
    kind: str = Field(description="money | goods | certificate")
    amount: Amount = Field(None, description="Money, or the goods' value: yuan, at most two decimals.")
    goods: str = Field("", max_length=400)


class MeetingPublicityIn(Schema):
    days: int | None = Field(None, description="1 to 30; 7 when left out.")


class MeetingCancelIn(Schema):
    reason: str = Field(max_length=1000)


class MeetingObjectionAnswerIn(Schema):
    upheld: bool = Field(description="True withdraws the name.")
    answer: str = Field(max_length=4000)


class MeetingAwardOut(Schema):
    meeting: MeetingOut
    awarded: int
    entries: int = Field(description="Journal entries posted (one per money or goods award).")
    paid: Decimal
    credit: dict[str, int] = Field(description="Names per credit status.")


class MeetingPublicNameOut(Schema):
    nomination_id: int
    name: str
    village: str
    category: str
    reasons: list[str]


class MeetingPublicOut(Schema):
    id: int
    title: str
    region: str
    year: int
    quarter: int
    status: str
    publicity_starts_on: dt.date | None
    publicity_ends_on: dt.date | None
    objections_open: bool
    names: list[MeetingPublicNameOut]


class MeetingObjectionIn(Schema):
    nomination_id: int
    text: str = Field(max_length=4000)
    contact: str = Field("", max_length=400)


class MeetingObjectionLodgedOut(Schema):
    id: int
    nomination_id: int
    lodged_at: dt.datetime
