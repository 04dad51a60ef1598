"""Schemas and presenters of the sponsor endpoints (names unique across the API: ``ProjectPledge…``,
``ProjectPayment…``, ``ProjectCertificate…``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from rongxin.funds.domain.donation_points import CREDIT_STATES
from rongxin.projects.models import Payment, Pledge
from rongxin.projects.selectors.sponsor import CertificateView

MAX_OFFSET = 10_000_000
Amount = str | int


class ProjectPledgeIn(Schema):
    sponsor_subject_id: int = Field(
        description="A subject you speak for (your own file, your enterprise); the county centre: any credit file "
        "from /subjects/search."
    )
    amount: Amount = Field(description='Yuan, more than zero, at most two decimals (a string such as "3000.00").')
    title: bool = Field(False, description="Title sponsorship (冠名): the whole budget while no other pledge stands.")
    anonymous: bool = Field(False, description="The public sees 爱心人士（匿名） instead of the name.")


class ProjectPledgeWithdrawIn(Schema):
    reason: str = Field(max_length=200)


class ProjectPledgeOut(Schema):
    id: int
    project_id: int
    project_number: str
    project_title: str
    sponsor_subject_id: int
    sponsor_name: str
    anonymous: bool
    title: bool
    amount: Decimal
    paid: Decimal
    unpaid: Decimal
    state: str = Field(description="open | paid | withdrawn")
    ceremony_id: int | None
    pledged_at: dt.datetime
    withdrawn_at: dt.datetime | None
    certificate_code: str | None = Field(description="Once something is paid: /projects/certificates/{code}.")


class ProjectPledgePage(Schema):
    total: int
    offset: int
    limit: int
    items: list[ProjectPledgeOut]


class ProjectPledgeQuery(Schema):
    number: str = Field("", max_length=16, description="A project's number, e.g. XM2026-0001.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


class ProjectPaymentOut(Schema):
    id: int
    pledge_id: int
    project_id: int
    entry_id: int
    amount: Decimal
    received_on: dt.date
    credit_status: str = Field(description=" | ".join(s or '""' for s in CREDIT_STATES))
    credit_points: int | None
    pledge_paid: Decimal
    project_raised: Decimal


class ProjectCertificateOut(Schema):
    code: str
    sponsor: str = Field(description="As the public sees them: 爱心人士（匿名） for a sponsor who asked.")
    anonymous: bool
    title_sponsor: bool
    project_id: int
    project_number: str
    project_title: str
    pledged: Decimal
    paid: Decimal
    pledged_at: dt.datetime


def pledge_out(p: Pledge) -> ProjectPledgeOut:
    return ProjectPledgeOut(
        id=p.pk,
        project_id=p.project_id,
        project_number=p.project.number,
        project_title=p.project.shown_title,
        sponsor_subject_id=p.sponsor_id,
        sponsor_name=p.sponsor_name,
        anonymous=p.anonymous,
        title=p.title,
        amount=p.amount,
        paid=p.paid,
        unpaid=p.amount - p.paid if p.state == Pledge.State.OPEN else Decimal("0.00"),
        state=p.state,
        ceremony_id=p.ceremony_id,
        pledged_at=p.pledged_at,
        withdrawn_at=p.withdrawn_at,
        certificate_code=p.certificate_code if p.paid > 0 else None,
    )


def payment_out(x: Payment) -> ProjectPaymentOut:
    return ProjectPaymentOut(
        id=x.pk,
        pledge_id=x.pledge_id,
        project_id=x.project_id,
        entry_id=x.entry_id,
        amount=x.amount,
        received_on=x.received_on,
        credit_status=x.credit_status,
        credit_points=x.credit_points,
        pledge_paid=x.pledge.paid,
        project_raised=x.project.raised,
    )


def certificate_out(c: CertificateView) -> ProjectCertificateOut:
    return ProjectCertificateOut(
        code=c.code,
        sponsor=c.sponsor,
        anonymous=c.anonymous,
        title_sponsor=c.title_sponsor,
        project_id=c.project_id,
        project_number=c.project_number,
        project_title=c.project_title,
        pledged=c.pledged,
        paid=c.paid,
        pledged_at=c.pledged_at,
    )
