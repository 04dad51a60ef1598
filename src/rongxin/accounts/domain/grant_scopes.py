"""What an app adds to a role grant, declared on its ``AppConfig``.

Some roles act for one thing a higher app owns: an incentive-provider's staff act for one
provider (``rongxin.incentives``). Accounts sits below that app and never imports it; instead
the app declares, on its ``AppConfig``::

    grant_scopes = (
        GrantScope(
            role=Role.INCENTIVE_PROVIDER,
            field="provider",
            label=_("Provider"),
            choices="rongxin.incentives.selectors.provider_grant_choices",
            link="rongxin.incentives.services.providers.provider_account_for_grant",
        ),
    )

The grant form shows a required choice ``field`` for that role, filled from ``choices()``
(``[(value, words), ...]``); the grant service stores the chosen value on the grant
(``Grant.scope``) and calls ``link(actor=, user=, value=)`` in the same transaction, so the
app writes its own link (and its own audit row) and the two never disagree. The paths are
imported on first use, so ``apps.py`` imports no models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class GrantScope:
    role: str
    field: str
    label: Any
    choices: str
    link: str

    def choice_list(self) -> list[tuple[str, str]]:
        found: Callable[[], list[tuple[str, str]]] = import_string(self.choices)
        return list(found())

    def apply(self, *, actor: Any, user: Any, value: str) -> None:
        linker: Callable[..., object] = import_string(self.link)
        linker(actor=actor, user=user, value=value)


@cache
def _by_role() -> dict[str, GrantScope]:
    found: dict[str, GrantScope] = {}
    for config in apps.get_app_configs():
        for scope in getattr(config, "grant_scopes", ()):
            found[scope.role] = scope
    return found


def grant_scope_for(role: str) -> GrantScope | None:
    """The scope an installed app adds to grants of ``role``, if any."""
    return _by_role().get(role)


def grant_scopes() -> list[GrantScope]:
    return list(_by_role().values())
