"""JSON endpoints of sponsors (the pages call the same services and selectors):

- ``POST /projects/{id}/pledges``: pledge to a published project (for a subject you speak for; the
  county centre for any credit file);
- ``POST /projects/pledges/{id}/withdraw``: withdraw a pledge nothing has been paid on;
- ``GET /projects/pledges/mine``: the pledges of the subjects you speak for;
- ``GET /projects/pledges``: the fund keeper's desk of pledges with money still to come;
- ``POST /projects/pledges/{id}/payments``: record a payment (multipart, with the ``voucher``);
- ``GET /projects/certificates/{code}``: the public check of a sponsor certificate.

Who may is asked before the body is read (404 for missing and forbidden alike). Amounts are
strings of yuan with at most two decimals (full-width digits accepted), or integers; never a
float. Every error is problem+json.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ninja import File, Form, Query, Router, Status, UploadedFile

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound, TooManyRequests
from rongxin.funds.services.books import read_voucher_upload
from rongxin.projects.api.sponsor_schemas import (
    ProjectCertificateOut,
    ProjectPaymentOut,
    ProjectPledgeIn,
    ProjectPledgeOut,
    ProjectPledgePage,
    ProjectPledgeQuery,
    ProjectPledgeWithdrawIn,
    certificate_out,
    payment_out,
    pledge_out,
)
from rongxin.projects.models import Payment, Pledge
from rongxin.projects.permissions.common import access_project, is_centre, keeps_project_fund, sponsor_subjects
from rongxin.projects.selectors.sponsor import certificate_verify, open_pledges, pledges_mine
from rongxin.projects.services.payments import payment_record
from rongxin.projects.services.pledges import pledge_create, pledge_withdraw, withdrawing_as
from rongxin.volunteering.permissions import VERIFY_RATE_GROUP, verify_rate

router = Router(tags=["projects"])


def _pledger(user: Any, project_id: int, **_: Any) -> None:
    access_project(user, project_id)
    if not sponsor_subjects(user) and not is_centre(user):
        raise NotFound()


def _withdrawer(user: Any, pledge_id: int, **_: Any) -> None:
    pledge = Pledge.objects.select_related("project").filter(pk=pledge_id).first()
    if pledge is None or not withdrawing_as(user, pledge):
        raise NotFound()


def _keeper(user: Any, **_: Any) -> None:
    if not keeps_project_fund(user):
        raise NotFound()


def _pledge(pledge_id: int) -> ProjectPledgeOut:
    return pledge_out(Pledge.objects.select_related("project").get(pk=pledge_id))


@router.post(
    "/{int:project_id}/pledges",
    response={200: ProjectPledgeOut, 201: ProjectPledgeOut},
    operation_id="projects_pledge_create",
    auth=gated(_pledger),
)
def pledge_new(request: SignedInRequest, project_id: int, payload: ProjectPledgeIn) -> Status[ProjectPledgeOut]:
    """Pledge ``amount`` to a published project for ``sponsor_subject_id``. 422 ``over_need`` (with
    what the project still needs), ``title_whole_budget``, ``title_anonymous``; 409 ``not_now`` (not
    open for pledges), ``title_taken``. 201 new; 200 the same pledge sent again within two minutes."""
    r = pledge_create(
        actor=request.user,
        project_id=project_id,
        sponsor_subject_id=payload.sponsor_subject_id,
        amount=payload.amount,
        title=payload.title,
        anonymous=payload.anonymous,
    )
    return Status(201 if r.created else 200, _pledge(r.pledge.pk))


@router.post(
    "/pledges/{int:pledge_id}/withdraw",
    response=ProjectPledgeOut,
    operation_id="projects_pledge_withdraw",
    auth=gated(_withdrawer),
)
def withdraw(request: SignedInRequest, pledge_id: int, payload: ProjectPledgeWithdrawIn) -> ProjectPledgeOut:
    """Withdraw a pledge (its sponsor's speaker, a publisher of the project): 409
    ``pledge_paid`` once money is paid on it, ``already_withdrawn``."""
    p = pledge_withdraw(actor=request.user, pledge_id=pledge_id, reason=payload.reason)
    return _pledge(p.pk)


@router.get("/pledges/mine", response=list[ProjectPledgeOut], operation_id="projects_pledges_mine")
def mine(request: SignedInRequest) -> list[ProjectPledgeOut]:
    """The pledges of every subject you speak for, newest first, with what was paid and, once
    something is paid, the certificate's code."""
    return [pledge_out(p) for p in pledges_mine(actor=request.user)]


@router.get("/pledges", response=ProjectPledgePage, operation_id="projects_pledges_open", auth=gated(_keeper))
def desk(request: SignedInRequest, filters: Query[ProjectPledgeQuery]) -> ProjectPledgePage:
    """The fund keeper's desk: pledges with money still to come on projects that take payments,
    oldest first (``number``: one project)."""
    qs = open_pledges(actor=request.user, number=filters.number)
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    return ProjectPledgePage(
        total=qs.count(), offset=filters.offset, limit=filters.limit, items=[pledge_out(p) for p in rows]
    )


@router.post(
    "/pledges/{int:pledge_id}/payments",
    response={200: ProjectPaymentOut, 201: ProjectPaymentOut},
    operation_id="projects_payment_record",
    auth=gated(_keeper),
)
def payment_new(
    request: SignedInRequest,
    pledge_id: int,
    amount: Form[str],
    received_on: Form[str],
    voucher: File[UploadedFile],
) -> Status[ProjectPaymentOut]:
    """Record money received against a pledge with the bank slip (PDF, JPEG or PNG): Dr 1001 / Cr
    the project's income account; the sponsor earns P-PRJ-01 / E-PRJ-01 credit once, capped
    (``credit_status``). 409 ``not_now`` (a draft or closed project), ``pledge_withdrawn``; 422
    ``over_pledge``. 201 new; 200 the same payment sent again within two minutes."""
    r = payment_record(
        actor=request.user,
        pledge_id=pledge_id,
        amount=amount,
        received_on=received_on,
        voucher_data=read_voucher_upload(voucher),
        voucher_name=voucher.name or "",
    )
    payment = Payment.objects.select_related("pledge", "project").get(pk=r.payment.pk)
    return Status(201 if r.created else 200, payment_out(payment))


@router.get(
    "/certificates/{code}", response=ProjectCertificateOut, auth=None, operation_id="projects_certificate_verify"
)
def certificate(request: HttpRequest, code: str) -> ProjectCertificateOut:
    """Public check of a sponsor certificate (the code from its QR): the sponsor as the public sees
    them, the project, pledged and paid. 404 when no certificate has the code; 429 when a client
    asks too often."""
    if is_ratelimited(request, group=VERIFY_RATE_GROUP, key="ip", rate=verify_rate, increment=True):
        raise TooManyRequests()
    return certificate_out(certificate_verify(code=code))
