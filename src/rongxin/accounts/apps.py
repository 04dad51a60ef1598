from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.core.registry import NavItem


class AccountsConfig(AppConfig):
    name = "rongxin.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    nav = (
        NavItem(_("Audit log"), "accounts:audit_log", order=140, roles=frozenset({Role.AUDITOR})),
        NavItem(_("My account"), "accounts:account_mine", order=1000),
    )
