from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.accounts.domain.grant_scopes import GrantScope
from rongxin.accounts.domain.roles import Role
from rongxin.core.registry import ApiArea, FilePanel, NavItem


class IncentivesConfig(AppConfig):
    name = "rongxin.incentives"
    label = "incentives"
    verbose_name = "Incentives"

    api_areas = (ApiArea("incentives", pgettext_lazy("api area", "Incentives"), order=60),)

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
    code_labels = {
        "audit.action": {
            "incentive.propose": _("Proposed an incentive"),
            "incentive.approved": _("Approved an incentive"),
            "incentive.rejected": _("Rejected an incentive proposal"),
            "incentive.suspended": _("Suspended an incentive"),
            "incentive.redeem": _("Recorded a redemption of an incentive"),
            "incentive.redeem_refused": _("Refused a redemption of an incentive"),
            "incentives.load_starters": _("Loaded the starter incentives"),
            "incentives.key_rotate": _("Rotated the credential signing key"),
            "provider.create": _("Registered an incentive provider"),
            "provider.account": _("Gave an account to an incentive provider"),
        },
        "audit.object_type": {
            "incentive": _("Incentive"),
            "provider": _("Incentive provider"),
            "signing_key": _("Signing key"),
        },
        "core.job": {"incentives.refresh_exports": _("Refresh the open-data export of incentives")},
    }

    # An incentive provider's staff act for one provider: the accounts grant form asks which,
    # and the grant service has this app link the account (see rongxin.accounts.domain.grant_scopes).
    grant_scopes = (
        GrantScope(
            role=Role.INCENTIVE_PROVIDER,
            field="provider",
            label=_("Provider"),
            choices="rongxin.incentives.selectors.provider_grant_choices",
            link="rongxin.incentives.services.providers.provider_account_for_grant",
        ),
    )
