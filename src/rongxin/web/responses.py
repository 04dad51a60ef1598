"""Shared page responses: the one "not found" page and the error page for every other refusal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from rongxin.core.errors import ApplicationError, Forbidden, NotFound, TooManyRequests


def not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": _("Not found"), "message": _("This page does not exist or is not yours to see.")},
        status=404,
    )


def error_page(request: HttpRequest, *, title: Any, message: Any, status: int) -> HttpResponse:
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def application_error_page(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """The page for a service error no form took: missing and forbidden look the same (404)."""
    if isinstance(exc, NotFound | Forbidden):
        return not_found(request)
    if isinstance(exc, TooManyRequests):
        return error_page(request, title=_("Too many attempts"), message=exc.message, status=429)
    return error_page(request, title=_("The request could not be completed"), message=exc.message, status=exc.status)
