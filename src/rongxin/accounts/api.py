from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from rongxin.accounts.permissions import active_grants

router = Router(tags=["accounts"])


class GrantOut(Schema):
    role: str
    role_label: str
    region_code: str
    region_name: str
    department: str | None


class LinkOut(Schema):
    subject_id: int
    relation: str


class MeOut(Schema):
    username: str
    display_name: str
    grants: list[GrantOut]
    subjects: list[LinkOut]


@router.get("/me", response=MeOut, operation_id="accounts_me")
def me(request: HttpRequest) -> MeOut:
    """The signed-in account, its role grants and the subjects it speaks for."""
    user: Any = request.auth  # type: ignore[attr-defined]
    return MeOut(
        username=user.get_username(),
        display_name=user.display_name,
        grants=[
            GrantOut(
                role=g.role,
                role_label=str(g.get_role_display()),
                region_code=g.region.code,
                region_name=g.region.name,
                department=g.department.code if g.department else None,
            )
            for g in active_grants(user)
        ],
        subjects=[
            LinkOut(subject_id=s, relation=r) for s, r in user.subject_links.values_list("subject_id", "relation")
        ],
    )
