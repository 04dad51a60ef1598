"""The site's routes and error handlers, plus views that fail, for the error page tests."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from rongxin.config import urls as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("an unexpected failure")


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [path("boom/", boom), path("api/v1/boom", boom), path("denied/", denied), *site.urlpatterns]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
