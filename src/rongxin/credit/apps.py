from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "rongxin.credit"
    label = "credit"
    verbose_name = "Credit"
