from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.core.registry import ApiArea, FilePanel, NavItem


class CanteensConfig(AppConfig):
    name = "rongxin.canteens"
    label = "canteens"
    verbose_name = "Canteens"

    api_areas = (ApiArea("canteens", pgettext_lazy("api area", "Canteens"), order=75),)

    nav = (
        NavItem(_("Canteens"), "canteens:home", order=68, shown="rongxin.canteens.permissions.common.shows_canteens"),
    )
    file_panels = (
        FilePanel(
            "canteens", "canteens/_file_panel.html", context="rongxin.canteens.pages.panels.file_panel", order=26
        ),
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
            "canteen_cook.certificate": _("Recorded a cook's health certificate"),
            "canteen_cook.training": _("Recorded a cook's food-safety training"),
            "canteen_cook.certificate_remind": _("Sent a health certificate expiry notice"),
            "canteen_rota.place": _("Put a cook on a canteen's rota"),
            "canteen_rota.remove": _("Took a cook off a canteen's rota"),
            "canteen_clinic.schedule": _("Scheduled a clinic at a canteen"),
            "canteen_clinic.record": _("Recorded a clinic at a canteen"),
            "canteen_clinic.cancel": _("Cancelled a clinic at a canteen"),
            # donations
            "canteen.donation.record": _("Donation to a canteen recorded"),
            "canteen.stock_use.record": _("Canteen stock use recorded"),
        },
        "audit.object_type": {
            "canteen": _("Canteen"),
            "coverage_policy": _("Canteen coverage target"),
            "build_plan": _("Canteen build plan"),
            "canteen_elder": _("Canteen elder"),
            "health_certificate": _("Health certificate"),
            "food_safety_training": _("Food-safety training"),
            "clinic_visit": _("Clinic visit"),
            "canteen_donation": _("Canteen donation"),
            "canteen_stock_use": _("Canteen stock use"),
        },
        "core.job": {
            "canteens.certificate_reminders": _("Health certificate expiry notices"),
        },
    }
