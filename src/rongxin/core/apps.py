from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rongxin.core"
    label = "core"
    verbose_name = "Core"

    code_labels = {
        "core.job": {
            "core.clear_expired_sessions": _("Clear expired sign-in sessions"),
            "core.purge_rate_counters": _("Purge old rate-limit counters"),
            "core.optimize_database": _("Optimise the database"),
            "core.prune_jobs": _("Prune finished jobs"),
        },
    }
