"""Helpers for the accounts tests. They build users with the accounts services only (the shared
``rongxin.conftest`` helpers import higher layers, which import-linter keeps out of accounts);
the region ``tree`` fixture comes from the shared conftest through pytest."""

from __future__ import annotations

from django.test import Client

from rongxin.accounts.models import User
from rongxin.accounts.services import GrantSpec, user_create
from rongxin.regions.models import Region


def make_account(username: str, *grants: tuple[str, Region]) -> User:
    """A user with the given (role, region) grants, made by the service as an unattended setup."""
    return user_create(
        actor=None,
        username=username,
        display_name=username,
        password="pw-for-tests-only",
        grants=[GrantSpec(role=role, region=region) for role, region in grants],
        check_password=False,
    )


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
