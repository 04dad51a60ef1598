from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.accounts.domain.api_scopes import scope_choices
from rongxin.accounts.domain.roles import ACCOUNT_ADMINS, Role
from rongxin.core.registry import ApiArea, NavItem


class AccountsConfig(AppConfig):
    name = "rongxin.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    api_areas = (
        ApiArea(
            "accounts", pgettext_lazy("api area", "Accounts and audit log"), order=10, segments=("accounts", "audit")
        ),
    )

    nav = (
        NavItem(_("Audit log"), "accounts:audit_log", order=140, roles=frozenset({Role.AUDITOR})),
        NavItem(_("Staff accounts"), "accounts:account_staff", order=150, roles=ACCOUNT_ADMINS),
        NavItem(_("My account"), "accounts:account_mine", order=1000),
    )
    code_labels = {
        "audit.action": {
            "auth.login": _("Signed in"),
            "auth.login_failed": _("Failed sign-in"),
            "user.create": _("Created an account"),
            "user.deactivate": _("Deactivated an account"),
            "user.reactivate": _("Reactivated an account"),
            "user.password_reset": _("Reset a password"),
            "user.password_change": _("Changed their password"),
            "grant.add": _("Granted a role"),
            "grant.revoke": _("Revoked a role grant"),
            "api_key.create": _("Created an API key"),
            "api_key.revoke": _("Revoked an API key"),
        },
        "audit.object_type": {"user": _("Account")},
        "accounts.role": {str(role.value): role.label for role in Role},
        "accounts.api_scope": lambda: dict(scope_choices()),
    }
