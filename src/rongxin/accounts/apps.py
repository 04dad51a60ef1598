from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rongxin.accounts"
    label = "accounts"
    verbose_name = "Accounts"
