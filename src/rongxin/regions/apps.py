from django.apps import AppConfig
from django.utils.translation import pgettext_lazy

from rongxin.core.registry import ApiArea


class RegionsConfig(AppConfig):
    name = "rongxin.regions"
    label = "regions"
    verbose_name = "Regions"

    api_areas = (ApiArea("regions", pgettext_lazy("api area", "Regions"), order=20),)
