from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "rongxin.incentives"
    label = "incentives"
    verbose_name = "Incentives"
