"""Page routes of lectures, under ``/lectures/`` in the ``lectures`` namespace (mounted by
``rongxin.config.urls``). Each area's views module lists its own routes in ``urls``."""

from django.urls import URLPattern

from rongxin.lectures.pages.views import book, figures, home, orders, people, sessions

app_name = "lectures"

urlpatterns: list[URLPattern] = [*home.urls, *book.urls, *orders.urls, *figures.urls, *sessions.urls, *people.urls]
