"""``rongxin accounts create|grant|revoke|deactivate|reactivate|reset-password|key-create|
key-revoke|list``: scripted set-up of staff accounts.

Every subcommand runs the same service as the pages and the API, so the same rules hold and the
same audit rows are written. ``--as USERNAME`` acts as that administrator (their reach, their
name in the audit log); without it the command acts as the system (no reach, actor empty in the
audit log), as a set-up script run by the operator does. A password or key that is generated is
printed once on standard output; a password to set is read from standard input
(``--password-stdin``), never from the command line. Any refusal prints its reason on standard
error and exits with status 1 (Django's ``CommandError``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rongxin.accounts.domain.api_scopes import all_scopes, read_scopes
from rongxin.accounts.models import User
from rongxin.accounts.selectors import (
    accounts_listing,
    current_grant,
    grant_spec_from,
    keys_by_prefix,
    user_by_username,
)
from rongxin.accounts.services import (
    api_key_issue,
    api_key_revoke,
    grant_add,
    grant_revoke,
    staff_account_create,
    user_active_set,
    user_password_reset,
)
from rongxin.core import clock
from rongxin.core.errors import ApplicationError


def _grant_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, help="a staff role code, e.g. town_officer, platform_admin")
    parser.add_argument("--region", required=True, help="the region code the role covers (with its subtree)")
    parser.add_argument("--department", default="", help="department recorders: the department code")
    parser.add_argument("--provider", default="", help="incentive providers' staff: the provider code")


class Command(BaseCommand):
    help = "Staff accounts, role grants, passwords and API keys, for scripted set-up (audited)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--as", dest="actor", default="", help="act as this administrator (default: the system)")
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a staff account with its first grant")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="display name")
        create.add_argument(
            "--password-stdin", action="store_true", help="read the initial password from stdin (else generated)"
        )
        _grant_arguments(create)
        grant = sub.add_parser("grant", help="grant a role over a region")
        grant.add_argument("username")
        _grant_arguments(grant)
        revoke = sub.add_parser("revoke", help="revoke a current grant")
        revoke.add_argument("username")
        revoke.add_argument("--role", required=True)
        revoke.add_argument("--region", required=True)
        for name, words in (("deactivate", "deactivate an account"), ("reactivate", "reactivate an account")):
            sub.add_parser(name, help=words).add_argument("username")
        reset = sub.add_parser("reset-password", help="set a new password that must be changed at next sign-in")
        reset.add_argument("username")
        reset.add_argument("--password-stdin", action="store_true", help="read it from stdin (else generated)")
        key = sub.add_parser("key-create", help="issue an API key (printed once)")
        key.add_argument("username")
        key.add_argument("--name", required=True, help="what uses the key")
        key.add_argument(
            "--scope",
            action="append",
            default=[],
            help=f"repeatable; one of {', '.join(all_scopes())}; or 'read' (every area read-only) or 'all'",
        )
        key.add_argument("--days", type=int, default=90, help="days until it expires (default 90, at most 730)")
        key_revoke = sub.add_parser("key-revoke", help="revoke an API key by the prefix shown in lists")
        key_revoke.add_argument("username")
        key_revoke.add_argument("--prefix", required=True)
        listing = sub.add_parser("list", help="accounts with their current grants and keys")
        listing.add_argument("--all", action="store_true", help="also revoked grants and keys")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["actor"])
        action = options["action"]
        try:
            getattr(self, "_" + action.replace("-", "_"))(actor, options)
        except ApplicationError as exc:
            raise CommandError(self._reason(exc)) from None

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _reason(exc: ApplicationError) -> str:
        fields = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors if e.get("field"))
        if exc.code == "not_found":
            return "not found, or out of the acting administrator's reach"
        return f"{exc.code}: {fields or exc.message}"

    @staticmethod
    def _actor(username: str) -> User | None:
        if not username:
            return None
        actor = user_by_username(username, active_only=True)
        if actor is None:
            raise CommandError(f"--as: no active account {username!r}")
        return actor

    @staticmethod
    def _user(username: str) -> User:
        user = user_by_username(username)
        if user is None:
            raise CommandError(f"no account {username!r}")
        return user

    def _password(self, options: dict[str, Any]) -> str | None:
        if not options.get("password_stdin"):
            return None
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("--password-stdin: standard input gave no password")
        return password

    @staticmethod
    def _spec(options: dict[str, Any]) -> Any:
        return grant_spec_from(
            role=options["role"],
            region_code=options["region"],
            department_code=options["department"],
            scope=options["provider"],
        )

    # --- subcommands ------------------------------------------------------------------------
    def _create(self, actor: User | None, options: dict[str, Any]) -> None:
        created = staff_account_create(
            actor=actor,
            username=options["username"],
            display_name=options["name"],
            password=self._password(options),
            grant=self._spec(options),
        )
        self.stdout.write(f"created {created.user.username} (id {created.user.pk}); must change password at sign-in")
        if created.password is not None:
            self.stdout.write(f"password: {created.password}")

    def _grant(self, actor: User | None, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        grant = grant_add(actor=actor, user=user, spec=self._spec(options))
        self.stdout.write(f"grant {grant.pk}: {user.username} {grant.role} over {grant.region.code}")

    def _revoke(self, actor: User | None, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        grant = current_grant(user=user, role=options["role"], region_code=options["region"])
        if grant is None:
            raise CommandError(f"{user.username} holds no current {options['role']} grant over {options['region']}")
        grant_revoke(actor=actor, grant=grant)
        self.stdout.write(f"revoked grant {grant.pk}")

    def _deactivate(self, actor: User | None, options: dict[str, Any]) -> None:
        user = user_active_set(actor=actor, user=self._user(options["username"]), active=False)
        self.stdout.write(f"{user.username} is inactive")

    def _reactivate(self, actor: User | None, options: dict[str, Any]) -> None:
        user = user_active_set(actor=actor, user=self._user(options["username"]), active=True)
        self.stdout.write(f"{user.username} is active")

    def _reset_password(self, actor: User | None, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        generated = user_password_reset(actor=actor, user=user, password=self._password(options))
        self.stdout.write(f"password of {user.username} reset; must change it at next sign-in")
        if generated is not None:
            self.stdout.write(f"password: {generated}")

    def _key_create(self, actor: User | None, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        scopes: list[str] = []
        for scope in options["scope"] or ["read"]:
            scopes += {"read": read_scopes(), "all": all_scopes()}.get(scope, [scope])
        row, key = api_key_issue(
            actor=actor,
            user=user,
            name=options["name"],
            scopes=scopes,
            expires_at=clock.now() + dt.timedelta(days=options["days"]),
        )
        self.stdout.write(
            f"key {row.prefix}… for {user.username}, scopes {' '.join(row.scopes)}, "
            f"expires {timezone.localtime(row.expires_at):%Y-%m-%d %H:%M}"
        )
        self.stdout.write(f"key: {key}")

    def _key_revoke(self, actor: User | None, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        keys = keys_by_prefix(user=user, prefix=options["prefix"])
        if len(keys) != 1:
            raise CommandError(f"{len(keys)} keys of {user.username} begin with {options['prefix']!r}; name one")
        api_key_revoke(actor=actor, key=keys[0])
        self.stdout.write(f"revoked key {keys[0].prefix}…")

    def _list(self, actor: User | None, options: dict[str, Any]) -> None:
        for user, grants, keys in accounts_listing(actor=actor, include_revoked=options["all"]):
            held = [
                f"{g.role}@{g.region.code}"
                + (f"[{g.scope}]" if g.scope else "")
                + (" (revoked)" if g.revoked_at else "")
                for g in grants
            ] + [f"key {k.prefix}… {k.name}" + (" (revoked)" if k.revoked_at else "") for k in keys]
            state = "active" if user.is_active else "inactive"
            self.stdout.write(f"{user.username}\t{user.display_name}\t{state}\t" + "; ".join(held))
