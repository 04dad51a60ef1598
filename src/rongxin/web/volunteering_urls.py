"""Page routes of volunteering (joined into the ``web`` namespace by ``web/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
