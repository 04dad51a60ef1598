from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "rongxin.regions"
    label = "regions"
    verbose_name = "Regions"
