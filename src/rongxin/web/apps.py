from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rongxin.core.registry import NavItem


class WebConfig(AppConfig):
    name = "rongxin.web"
    label = "web"
    verbose_name = "Web"

    nav = (
        NavItem(_("Home"), "web:home", order=0),
        NavItem(_("Background jobs"), "web:jobs", order=150, shown="rongxin.web.pages.jobs.may_watch_jobs"),
    )
