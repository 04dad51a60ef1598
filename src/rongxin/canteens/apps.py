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
            "canteen_cook.certificate": _("Recorded a cook's health certificate"),
            "canteen_cook.training": _("Recorded a cook's food-safety training"),
            "canteen_cook.certificate_remind": _("Sent a health certificate expiry notice"),
            "canteen_rota.place": _("Put a cook on a canteen's rota"),
            "canteen_rota.remove": _("Took a cook off a canteen's rota"),
            "canteen_clinic.schedule": _("Scheduled a clinic at a canteen"),
            "canteen_clinic.record": _("Recorded a clinic at a canteen"),
            "canteen_clinic.cancel": _("Cancelled a clinic at a canteen"),
            # donations
        },
        "audit.object_type": {
            "canteen": _("Canteen"),
            "health_certificate": _("Health certificate"),
            "food_safety_training": _("Food-safety training"),
            "clinic_visit": _("Clinic visit"),
        },
        "core.job": {
            "canteens.certificate_reminders": _("Health certificate expiry notices"),
        },
    }
