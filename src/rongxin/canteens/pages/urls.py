"""Page routes of canteens, under ``/canteens/`` in the ``canteens`` namespace (mounted by
``rongxin.config.urls``). Each area's views module lists its own routes in ``urls``."""

from django.urls import URLPattern

from rongxin.canteens.pages.views import cooks, donations, elders, home, service, site_figures, site_plan, sites

app_name = "canteens"

urlpatterns: list[URLPattern] = [
    *home.urls,
    *sites.urls,
    *site_plan.urls,
    *site_figures.urls,
    *service.urls,
    *elders.urls,
    *cooks.urls,
    *donations.urls,
]
