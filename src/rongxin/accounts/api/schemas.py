"""Request bodies and answers of the account administration API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class GrantIn(Schema):
    role: str = Field(max_length=32, description="A staff role code, e.g. town_officer.")
    region_code: str = Field(max_length=12, description="The region the role is granted over (its subtree).")
    department_code: str = Field("", max_length=32, description="Department recorders only: the department.")
    scope: str = Field(
        "", max_length=40, description="Incentive providers' staff only: the code of the provider they act for."
    )


class StaffCreateIn(GrantIn):
    username: str = Field(max_length=64)
    display_name: str = Field(max_length=60)
    password: str = Field(
        "", max_length=128, description="Empty: a password is generated and answered once. Changed at first sign-in."
    )


class UserRowOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    must_change_password: bool


class StaffCreatedOut(Schema):
    user: UserRowOut
    password: str | None = Field(description="The generated password, answered this once; null when one was sent.")


class PasswordResetIn(Schema):
    password: str = Field("", max_length=128, description="Empty: a password is generated and answered once.")


class PasswordResetOut(Schema):
    user: UserRowOut
    password: str | None = Field(description="The generated password, answered this once; null when one was sent.")


class ApiKeyIn(Schema):
    name: str = Field(max_length=60, description="What uses the key (a script, a device).")
    scopes: list[str] = Field(
        description="`<area>:read` or `<area>:write` for areas accounts, regions, subjects, credit, volunteering, "
        "incentives; a read-only key is refused (403 scope_refused) on POST/PUT/PATCH/DELETE."
    )
    expires_at: dt.datetime = Field(description="When the key stops working (at most 730 days ahead).")


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The key, answered this once; only its SHA-256 is kept.")
