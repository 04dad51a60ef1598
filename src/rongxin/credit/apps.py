from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import STAFF_ROLES, Role
from rongxin.core.registry import FilePanel, NavItem


class CreditConfig(AppConfig):
    name = "rongxin.credit"
    label = "credit"
    verbose_name = "Credit"

    nav = (
        NavItem(_("Reviews"), "credit:credit_review", order=80, roles=frozenset({Role.COUNTY_CREDIT_OFFICE})),
        NavItem(
            _("Imports"),
            "credit:imports",
            order=90,
            roles=frozenset({Role.DEPARTMENT_RECORDER, Role.COUNTY_CREDIT_OFFICE}),
        ),
        NavItem(_("Catalogues"), "credit:catalogues", order=100, roles=STAFF_ROLES),
    )
    code_labels = {
        "audit.action": {"credit.simulation.request": _("Asked for a policy simulation")},
    }
    file_panels = (
        FilePanel("credit", "credit/_credit_panel.html", context="rongxin.credit.pages.views.file_panel", order=10),
    )

    def ready(self) -> None:
        from rongxin.credit.services.scores import credit_on_consent_change
        from rongxin.subjects.services import consent_listeners

        if credit_on_consent_change not in consent_listeners:
            consent_listeners.append(credit_on_consent_change)
