from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rongxin.core"
    label = "core"
    verbose_name = "Core"
