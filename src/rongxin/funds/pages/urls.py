"""Page routes of funds and commendations, under ``/funds/`` in the ``funds`` namespace (mounted
by ``rongxin.config.urls``). Each area's views module lists its own routes in ``urls``."""

from django.urls import URLPattern

from rongxin.funds.pages.views import books, county, donations, home, honours, meetings, public, publicity

app_name = "funds"

urlpatterns: list[URLPattern] = [
    *home.urls,
    *books.urls,
    *county.urls,
    *donations.urls,
    *meetings.urls,
    *publicity.urls,
    *public.urls,
    *honours.urls,
]
