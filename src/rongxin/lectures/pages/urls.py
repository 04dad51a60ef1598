"""Page routes of lectures, under ``/lectures/`` in the ``lectures`` namespace (mounted by
``rongxin.config.urls``). Each area's views module lists its own routes in ``urls``."""

from django.urls import URLPattern

app_name = "lectures"

urlpatterns: list[URLPattern] = []
from rongxin.lectures.pages.views import people  # noqa: E402

urlpatterns += people.urls
