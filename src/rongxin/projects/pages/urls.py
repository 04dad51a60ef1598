"""Page routes of the project marketplace and small wishes, under ``/projects/`` in the
``projects`` namespace (mounted by ``rongxin.config.urls``). Each area's views module lists its
own routes in ``urls``."""

from django.urls import URLPattern

from rongxin.projects.pages.views import ceremony, money, publish, sponsor, wishes, work

app_name = "projects"

urlpatterns: list[URLPattern] = [
    *publish.urls,
    *sponsor.urls,
    *work.urls,
    *money.urls,
    *wishes.urls,
    *ceremony.urls,
]
