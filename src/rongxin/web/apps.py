from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rongxin.web"
    label = "web"
    verbose_name = "Web"
