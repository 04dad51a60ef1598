"""JSON endpoints of small wishes (微心愿) under ``/api/v1/projects`` (the pages call the same
services and selectors):

- ``GET /projects/wishes``: the public list (filters town, village, category, state; pages of 20),
  no sign-in; ``GET /projects/wishes/{id}``: one wish as the public sees it. Public answers carry
  the resident's masked name and village only, never the full name, ID number, address or phone.
- ``GET /projects/wishes/{id}/record``: the full record (the resident, the village's and town's
  officers, the claimant's speakers, auditors; a staff read is audited);
- ``GET /projects/wishes/mine``: the caller's own wishes, the wishes their subjects claimed, their
  villages' wishes (a village officer);
- ``POST /projects/wishes``: post a wish (a resident for themselves; a village officer for a
  resident of the village);
- ``POST /projects/wishes/{id}/claim|release|fulfil``: claim for a subject the caller speaks for,
  give up, deliver (the claimant's speakers);
- ``POST /projects/wishes/{id}/confirm|withdraw``: confirm receipt, withdraw (the resident or the
  village's officer).

Amounts are strings (``"300.00"``) or integers, at most two decimals; never a float. Missing and
forbidden are the same 404, asked before the body is read.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.projects.api.wishes_schemas import (
    WishClaimIn,
    WishConfirmIn,
    WishFulfilIn,
    WishListQuery,
    WishMineOut,
    WishPage,
    WishPostIn,
    WishPublicOut,
    WishRecordOut,
    WishWithdrawIn,
    public_out,
    record_out,
    wish_out,
)
from rongxin.projects.models import Wish
from rongxin.projects.permissions.common import access_wish, own_person_subject, signed_in, sponsor_subjects
from rongxin.projects.permissions.wishes import access_wish_as_claimant, access_wish_as_resident
from rongxin.projects.selectors.wishes import officer_villages, wish_board, wish_public, wish_record, wishes_mine
from rongxin.projects.services.wishes import (
    wish_claim,
    wish_confirm,
    wish_fulfil,
    wish_post,
    wish_release,
    wish_withdraw,
)

router = Router(tags=["projects"])


def _sees_wish(user: Any, wish_id: int, **_path: Any) -> None:
    access_wish(user, wish_id)


def _may_claim(user: Any, wish_id: int, **_path: Any) -> None:
    access_wish(user, wish_id)
    if not sponsor_subjects(user):
        raise NotFound()


def _claims_wish(user: Any, wish_id: int, **_path: Any) -> None:
    access_wish_as_claimant(user, wish_id)


def _speaks_for_resident(user: Any, wish_id: int, **_path: Any) -> None:
    access_wish_as_resident(user, wish_id)


def _posts_wishes(user: Any, **_path: Any) -> None:
    if own_person_subject(user) is None and not officer_villages(user):
        raise NotFound()


def _has_wishes(user: Any, **_path: Any) -> None:
    if not signed_in(user) or (
        own_person_subject(user) is None and not sponsor_subjects(user) and not officer_villages(user)
    ):
        raise NotFound()


def _full(wish: Wish) -> WishRecordOut:
    return wish_out(Wish.objects.select_related("region__parent", "beneficiary").get(pk=wish.pk))


@router.get("/wishes", response=WishPage, auth=None, operation_id="projects_wishes")
def wishes(request: HttpRequest, filters: Query[WishListQuery]) -> WishPage:
    """The public list of small wishes, newest first, 20 a page: the wish, its story, category,
    ceiling and state, the village, the resident's masked name, the claimant (anonymous ones as
    爱心人士（匿名）). Withdrawn wishes are not listed."""
    board = wish_board(
        town_id=filters.town,
        village_id=filters.village,
        category=filters.category,
        state=filters.state,
        page=filters.page,
    )
    return WishPage(
        total=board.total, page=board.page, per_page=board.per_page, items=[public_out(w) for w in board.rows]
    )


@router.get("/wishes/mine", response=WishMineOut, operation_id="projects_wishes_mine", auth=gated(_has_wishes))
def mine(request: SignedInRequest) -> WishMineOut:
    """The caller's own wishes (a resident), the wishes their subjects claimed (a resident or an
    enterprise representative), their villages' wishes (a village officer), in full."""
    m = wishes_mine(actor=request.user)
    return WishMineOut(
        own=[wish_out(w) for w in m.own],
        claimed=[wish_out(w) for w in m.claimed],
        village=[wish_out(w) for w in m.village],
    )


@router.get("/wishes/{int:wish_id}", response=WishPublicOut, auth=None, operation_id="projects_wish")
def wish(request: HttpRequest, wish_id: int) -> WishPublicOut:
    """One small wish as the public sees it (the resident's masked name and village only)."""
    return public_out(wish_public(actor=request.user, wish_id=wish_id))


@router.get(
    "/wishes/{int:wish_id}/record",
    response=WishRecordOut,
    operation_id="projects_wish_record",
    auth=gated(_sees_wish),
)
def record(request: SignedInRequest, wish_id: int) -> WishRecordOut:
    """The wish's full record, with the resident's full name (the resident, the village's and the
    town's officers, the claimant's speakers, auditors; a staff read is audited)."""
    return record_out(wish_record(actor=request.user, wish_id=wish_id))


@router.post(
    "/wishes",
    response={200: WishRecordOut, 201: WishRecordOut},
    operation_id="projects_wish_post",
    auth=gated(_posts_wishes),
)
def post(request: SignedInRequest, payload: WishPostIn) -> Status[WishRecordOut]:
    """Post a small wish: a resident for themselves (leave ``beneficiary_subject_id`` empty), a
    village officer for a person of the village. The ceiling is at most ¥3,000.00 (the county's
    setting); a resident has at most 3 wishes waiting or claimed. 201 new; 200 the same wish
    submitted again within two minutes."""
    r = wish_post(
        actor=request.user,
        title=payload.title,
        story=payload.story,
        category=payload.category,
        ceiling=payload.ceiling,
        beneficiary_subject_id=payload.beneficiary_subject_id,
    )
    return Status(201 if r.created else 200, _full(r.wish))


@router.post(
    "/wishes/{int:wish_id}/claim",
    response=WishRecordOut,
    operation_id="projects_wish_claim",
    auth=gated(_may_claim),
)
def claim(request: SignedInRequest, wish_id: int, payload: WishClaimIn) -> WishRecordOut:
    """Claim an open wish for your own person file or an enterprise you represent (never your own
    wish). 409 ``claimed`` when someone else claimed it first."""
    w = wish_claim(
        actor=request.user,
        wish_id=wish_id,
        claimant_subject_id=payload.claimant_subject_id,
        anonymous=payload.anonymous,
    )
    return _full(w)


@router.post(
    "/wishes/{int:wish_id}/release",
    response=WishRecordOut,
    operation_id="projects_wish_release",
    auth=gated(_claims_wish),
)
def release(request: SignedInRequest, wish_id: int) -> WishRecordOut:
    """Give up a claimed wish before delivering it (it is open again)."""
    return _full(wish_release(actor=request.user, wish_id=wish_id))


@router.post(
    "/wishes/{int:wish_id}/fulfil",
    response=WishRecordOut,
    operation_id="projects_wish_fulfil",
    auth=gated(_claims_wish),
)
def fulfil(request: SignedInRequest, wish_id: int, payload: WishFulfilIn) -> WishRecordOut:
    """Deliver a claimed wish: the value given (at most the wish's ceiling) and what was given."""
    return _full(wish_fulfil(actor=request.user, wish_id=wish_id, value=payload.value, note=payload.note))


@router.post(
    "/wishes/{int:wish_id}/confirm",
    response=WishRecordOut,
    operation_id="projects_wish_confirm",
    auth=gated(_speaks_for_resident),
)
def confirm(request: SignedInRequest, wish_id: int, payload: WishConfirmIn) -> WishRecordOut:
    """Confirm receipt of a delivered wish (the resident, or a village officer for them); the
    claimant earns P-WSH-01 / E-WSH-01 credit once (``credit_status``)."""
    return _full(wish_confirm(actor=request.user, wish_id=wish_id, thanks=payload.thanks).wish)


@router.post(
    "/wishes/{int:wish_id}/withdraw",
    response=WishRecordOut,
    operation_id="projects_wish_withdraw",
    auth=gated(_speaks_for_resident),
)
def withdraw(request: SignedInRequest, wish_id: int, payload: WishWithdrawIn) -> WishRecordOut:
    """Withdraw a wish that is waiting or claimed, with the reason (the resident, or a village
    officer of the village)."""
    return _full(wish_withdraw(actor=request.user, wish_id=wish_id, reason=payload.reason))
