from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.core.registry import FilePanel, NavItem


class IncentivesConfig(AppConfig):
    name = "rongxin.incentives"
    label = "incentives"
    verbose_name = "Incentives"

    nav = (
        NavItem(
            _("Credit incentives"),
            "incentives:incentives_me",
            order=20,
            shown="rongxin.subjects.permissions.speaks_for_a_subject",
        ),
        NavItem(
            _("Verify and redeem"),
            "incentives:incentives_provider",
            order=120,
            roles=frozenset({Role.INCENTIVE_PROVIDER}),
        ),
        NavItem(
            _("Manage incentives"),
            "incentives:incentives_manage",
            order=130,
            roles=frozenset({Role.COUNTY_CREDIT_OFFICE}),
        ),
    )
    file_panels = (
        FilePanel(
            "incentives", "incentives/_file_panel.html", context="rongxin.incentives.pages.panels.file_panel", order=30
        ),
    )
