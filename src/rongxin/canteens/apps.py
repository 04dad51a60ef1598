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
            "canteen.donation.record": _("Donation to a canteen recorded"),
            "canteen.stock_use.record": _("Canteen stock use recorded"),
        },
        "audit.object_type": {
            "canteen": _("Canteen"),
            # donations
            "canteen_donation": _("Canteen donation"),
            "canteen_stock_use": _("Canteen stock use"),
        },
        "core.job": {},
    }
