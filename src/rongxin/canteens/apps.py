from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.core.registry import ApiArea, FilePanel


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

    code_labels = {
        "audit.action": {
            # sites
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
        },
        "core.job": {},
    }
