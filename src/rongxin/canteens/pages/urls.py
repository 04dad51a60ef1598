"""Page routes of canteens, under ``/canteens/`` in the ``canteens`` namespace (mounted by
``rongxin.config.urls``). Each area's views module lists its own routes in ``urls``."""

from django.urls import URLPattern

from rongxin.canteens.pages.views import elders, service

app_name = "canteens"

urlpatterns: list[URLPattern] = [*service.urls, *elders.urls]
