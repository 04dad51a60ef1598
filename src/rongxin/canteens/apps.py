from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.core.registry import ApiArea, FilePanel, NavItem


class CanteensConfig(AppConfig):
    name = "rongxin.canteens"
    label = "canteens"
    verbose_name = "Canteens"

    api_areas = (ApiArea("canteens", pgettext_lazy("api area", "Canteens"), order=75),)

    file_panels = (
        FilePanel(
            "canteens", "canteens/_file_panel.html", context="rongxin.canteens.pages.panels.file_panel", order=26
        ),
    )

    nav = (
        NavItem(_("Canteens"), "canteens:home", order=68, shown="rongxin.canteens.permissions.common.shows_canteens"),
    )

    code_labels = {
        "audit.action": {
            # sites
            "canteen.create": _("Added a canteen"),
            "canteen.update": _("Changed a canteen"),
            "canteen.status": _("Changed a canteen's status"),
            "canteen.cost_add": _("Recorded a canteen's cost"),
            "coverage.set": _("Set the canteen coverage target"),
            "build_plan.set": _("Set the yearly canteen build plan"),
            # elders and service
            "elder.enrol": _("Enrolled an elder in a canteen"),
            "elder.update": _("Changed an elder's canteen details"),
            "elder.leave": _("An elder left a canteen"),
            "elder.list_read": _("Read a canteen's elders"),
            "elder.read": _("Read an elder's canteen details"),
            "elder.search": _("Searched residents to enrol in a canteen"),
            "service_day.record": _("Recorded a canteen's lunch"),
            # cooks, rota, clinics, pre-meal sessions
            # donations
        },
        "audit.object_type": {
            "canteen": _("Canteen"),
            "canteen_elder": _("Canteen elder"),
            "coverage_policy": _("Canteen coverage target"),
            "build_plan": _("Canteen build plan"),
        },
        "core.job": {},
    }
