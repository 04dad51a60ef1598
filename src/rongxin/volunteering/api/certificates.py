"""JSON endpoints of service certificates (the pages call the same services).

- ``POST /certificates``: the volunteer asks for a certificate over a period (201; 200 with the
  certificate already issued when asked again, e.g. a retried request).
- ``GET /certificates``: the volunteer's own certificates.
- ``GET /certificates/{number}/pdf``: the PDF, for the volunteer or staff reading files in the
  volunteer's village (audited).
- ``GET /certificates/{number}/verify?d=DIGEST``: public, no sign-in, rate-limited per client
  address together with the verification page.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema, Status

from rongxin.core.errors import TooManyRequests
from rongxin.volunteering.api.presenters import SignedInRequest
from rongxin.volunteering.api.schemas import CertificateOut
from rongxin.volunteering.domain.certificates import normalise_number
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.models import Certificate
from rongxin.volunteering.permissions import VERIFY_RATE_GROUP, verify_rate
from rongxin.volunteering.selectors.certificates import (
    CertificateCheck,
    certificate_list,
    certificate_pdf,
    certificate_verify,
    verify_path,
)
from rongxin.volunteering.services.certificates import certificate_issue

router = Router(tags=["certificates"])


class CertificateRequestIn(Schema):
    period_from: dt.date
    period_to: dt.date
    team_id: int | None = None


class CertificateDetailOut(CertificateOut):
    """A certificate as its volunteer sees it: the profile's summary and who it names, the
    issuing team, and the public verification link that its QR code encodes."""

    volunteer_number: str
    team_id: int | None
    verify_url: str


class CertificateCheckOut(Schema):
    status: str  # ok | altered | unknown
    ok: bool
    number: str
    volunteer_number: str | None = None
    name: str | None = None  # the given name masked
    issuer: str | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    minutes: int | None = None
    hours: str | None = None
    records: int | None = None
    content: str | None = None
    issued_on: dt.date | None = None


def certificate_out(request: HttpRequest, cert: Certificate) -> CertificateDetailOut:
    return CertificateDetailOut(
        number=cert.number,
        volunteer_number=cert.volunteer.number,
        issuer=cert.issuer,
        team_id=cert.team_id,
        period_from=cert.period_from,
        period_to=cert.period_to,
        minutes=cert.minutes,
        hours=hours_text(cert.minutes),
        records=cert.records,
        content=cert.content,
        issued_at=cert.issued_at,
        verify_url=request.build_absolute_uri(verify_path(cert)),
    )


def verification_out(check: CertificateCheck) -> CertificateCheckOut:
    if not check.ok:
        return CertificateCheckOut(status=check.status, ok=False, number=check.number)
    return CertificateCheckOut(
        status=check.status,
        ok=True,
        number=check.number,
        volunteer_number=check.volunteer_number,
        name=check.name,
        issuer=check.issuer,
        period_from=check.period_from,
        period_to=check.period_to,
        minutes=check.minutes,
        hours=check.hours,
        records=check.records,
        content=check.content,
        issued_on=check.issued_on,
    )


@router.post("", response={201: CertificateDetailOut, 200: CertificateDetailOut}, operation_id="certificate_issue")
def issue(request: SignedInRequest, payload: CertificateRequestIn) -> Status[CertificateDetailOut]:
    """Issue a certificate to the signed-in volunteer over their verified service records in
    the period (optionally one team's; the team is then the issuer, else the village
    committee). Asking again while the period's records give the same totals returns the
    certificate already issued, with status 200. 422 for a reversed, future or too long
    period, or one without records."""
    cert, created = certificate_issue(actor=request.user, **payload.dict())
    return Status(201 if created else 200, certificate_out(request, cert))


@router.get("", response=list[CertificateDetailOut], operation_id="certificate_list")
def list_(request: SignedInRequest) -> list[CertificateDetailOut]:
    """The signed-in volunteer's own certificates, newest first."""
    return [certificate_out(request, c) for c in certificate_list(actor=request.user)]


@router.get(
    "/{number}/pdf",
    operation_id="certificate_pdf",
    openapi_extra={
        "responses": {
            200: {
                "description": "The certificate (A4, Chinese)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def pdf(request: SignedInRequest, number: str) -> HttpResponse:
    """The certificate as a PDF, for the volunteer or staff reading files in the volunteer's
    village (the read is audited and shown to the person)."""
    data = certificate_pdf(actor=request.user, number=number, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{normalise_number(number)}.pdf"'
    return response


@router.get("/{number}/verify", auth=None, response=CertificateCheckOut, operation_id="certificate_verify")
def verify(request: HttpRequest, number: str, d: str = "") -> CertificateCheckOut:
    """Public check of a certificate with the digest ``d`` from its QR code: ``ok`` with the
    facts (name masked), ``altered`` or ``unknown``. 429 when a client asks too often."""
    if is_ratelimited(request, group=VERIFY_RATE_GROUP, key="ip", rate=verify_rate, increment=True):
        raise TooManyRequests()
    return verification_out(certificate_verify(number=number, digest=d))
