"""``rongxin accounts``: scripted set-up through the same services, audited, acting as the system
or as a named administrator, with clear errors and a non-zero exit on failure."""

from __future__ import annotations

import hashlib
import io
import sys
from typing import Any
from unittest import mock

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.tests.conftest import make_account
from rongxin.core.models import AuditEvent


def _run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    with mock.patch.object(sys, "stdin", io.StringIO(stdin)):
        call_command("accounts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def admins(tree: Any) -> dict[str, User]:
    return {
        "county_admin": make_account("county_admin", (Role.PLATFORM_ADMIN, tree.county)),
        "town_a_admin": make_account("town_a_admin", (Role.PLATFORM_ADMIN, tree.town_a)),
    }


def test_the_system_sets_up_an_administrator_with_a_generated_password(tree: Any) -> None:
    # when
    out = _run("create", "root", "--name", "系统管理员", "--role", "platform_admin", "--region", "371082000000")
    # then
    user = User.objects.get(username="root")
    lines = out.splitlines()
    assert lines[0] == f"created root (id {user.pk}); must change password at sign-in"
    assert lines[1].startswith("password: ")
    assert user.check_password(lines[1].removeprefix("password: "))
    assert user.must_change_password is True
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor_name")) == [
        ("grant.add", "system"),
        ("user.create", "system"),
    ]


def test_a_password_from_stdin_is_set_and_not_printed(tree: Any) -> None:
    # when
    out = _run(
        "create", "clerk", "--name", "文员", "--role", "town_officer", "--region", "371082001000",
        "--password-stdin", stdin="a-typed-passphrase\n",
    )  # fmt: skip
    # then
    assert "a-typed-passphrase" not in out
    assert User.objects.get(username="clerk").check_password("a-typed-passphrase")


def test_acting_as_a_town_administrator_keeps_their_rules(admins: dict[str, User], tree: Any) -> None:
    # given
    before = (User.objects.count(), AuditEvent.objects.count())
    # when: a town administrator names the county
    with pytest.raises(CommandError) as refused:
        _run(
            "--as", "town_a_admin", "create", "x1", "--name", "x", "--role", "town_officer", "--region", "371082101000"
        )
    # then
    assert str(refused.value) == "region_out_of_reach: region: 此地区不在您管理的地区之内。"
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_a_display_name_with_a_control_character_is_refused_by_the_command(tree: Any) -> None:
    # given: a script that pastes an escape sequence into the name (the command reaches the
    # service without the API's or the pages' text check)
    before = (User.objects.count(), AuditEvent.objects.count())
    # when
    with pytest.raises(CommandError) as refused:
        _run("create", "x1", "--name", "王\x1b[31m芳", "--role", "town_officer", "--region", "371082101000")
    # then
    assert str(refused.value) == "invalid_text: display_name: 内容中有不可见的控制字符，请删除后重试。"
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_grant_revoke_deactivate_reset_and_list(admins: dict[str, User], tree: Any) -> None:
    # given
    officer = make_account("officer", (Role.TOWN_OFFICER, tree.town_a))
    # when
    granted = _run("--as", "town_a_admin", "grant", "officer", "--role", "team_leader", "--region", "371082001001")
    revoked = _run("--as", "town_a_admin", "revoke", "officer", "--role", "team_leader", "--region", "371082001001")
    deactivated = _run("--as", "county_admin", "deactivate", "officer")
    reset = _run("reset-password", "officer")
    listing = _run("--as", "town_a_admin", "list", "--all")
    # then
    grant = Grant.objects.get(user=officer, role="team_leader")
    assert granted == f"grant {grant.pk}: officer team_leader over 371082001001\n"
    assert revoked == f"revoked grant {grant.pk}\n"
    assert deactivated == "officer is inactive\n"
    officer.refresh_from_db()
    assert officer.check_password(reset.splitlines()[1].removeprefix("password: "))
    assert listing == (
        "officer\tofficer\tinactive\ttown_officer@371082001000; team_leader@371082001001 (revoked)\n"
        "town_a_admin\ttown_a_admin\tactive\tplatform_admin@371082001000\n"
    )
    assert list(
        AuditEvent.objects.filter(object_id=str(officer.pk))
        .exclude(action__in=["grant.add", "user.create"], actor_name="system")
        .order_by("id")
        .values_list("action", "actor_name")
    ) == [
        ("grant.add", "town_a_admin"),
        ("grant.revoke", "town_a_admin"),
        ("user.deactivate", "county_admin"),
        ("user.password_reset", "system"),
    ]


def test_a_key_is_printed_once_and_revoked_by_its_prefix(admins: dict[str, User], tree: Any) -> None:
    # given
    make_account("importer", (Role.TOWN_OFFICER, tree.town_a))
    # when
    out = _run(
        "--as", "town_a_admin", "key-create", "importer", "--name", "导入", "--scope", "credit:write", "--days", "30"
    )
    key = out.splitlines()[1].removeprefix("key: ")
    row = ApiKey.objects.get()
    revoked = _run("key-revoke", "importer", "--prefix", row.prefix)
    # then
    assert out.splitlines()[0].startswith(f"key {row.prefix}… for importer, scopes credit:write, expires ")
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert revoked == f"revoked key {row.prefix}…\n"
    row.refresh_from_db()
    assert row.revoked_at is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as", "nobody", "list"), "--as: no active account 'nobody'"),
        (("grant", "ghost", "--role", "team_leader", "--region", "371082001001"), "no account 'ghost'"),
        (("--as", "town_a_admin", "deactivate", "county_admin"), "not found, or out of the acting administrator's reach"),
        (("deactivate", "county_admin"), "last_county_admin: 这是本县最后一位在用的管理员：请先指定另一位。"),
        (("key-create", "county_admin", "--name", "k", "--scope", "credit:admin"), "scope: scopes: 未知的权限范围：credit:admin。"),
    ],
)  # fmt: skip
def test_failures_are_clear_and_exit_non_zero(admins: dict[str, User], args: tuple[str, ...], message: str) -> None:
    # given
    before = AuditEvent.objects.count()
    # when
    with pytest.raises(CommandError) as refused:
        _run(*args)
    # then
    assert str(refused.value) == message
    assert AuditEvent.objects.count() == before


def test_the_command_line_exits_with_status_1(admins: dict[str, User]) -> None:
    # when: as the console script runs it (CommandError becomes exit status 1)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["rongxin", "accounts", "deactivate", "ghost"]).execute()
    # then
    assert exited.value.code == 1
