from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthConfig(AppConfig):
    name = "rongxin.synth"
    label = "synth"
    verbose_name = "Synthetic county"

    code_labels = {
        "audit.action": {
            "synth.generate": _("Loaded synthetic data"),
            "synth.volunteering": _("Loaded synthetic volunteering data"),
            "synth.lectures": _("Loaded synthetic lecture data"),
            "synth.canteens": _("Loaded synthetic canteen data"),
            "synth.funds": _("Loaded synthetic funds and commendations"),
            "synth.projects": _("Loaded a synthetic project marketplace"),
        },
        "audit.object_type": {"synth.syntheticload": _("Synthetic data load")},
    }
