from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.core.registry import ApiArea


class CanteensConfig(AppConfig):
    name = "rongxin.canteens"
    label = "canteens"
    verbose_name = "Canteens"

    api_areas = (ApiArea("canteens", pgettext_lazy("api area", "Canteens"), order=75),)

    code_labels = {
        "audit.action": {
            # sites
            # elders and service
            # cooks, rota, clinics, pre-meal sessions
            # donations
        },
        "audit.object_type": {
            "canteen": _("Canteen"),
        },
        "core.job": {},
    }
