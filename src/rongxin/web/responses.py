"""Shared page responses: the one "not found" page, the error page for every other refusal, and
the pages Django shows when a request fails outside a view's control (400, 403 for CSRF, 500)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
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


def _standalone(title: Any, message: Any, status: int) -> HttpResponse:
    """A page that needs nothing but the template: no database, no session, no request context.
    The server error and bad request pages use it, since whatever broke the request (the
    database, a host header Django refused) may break the shell's context processors too."""
    body = loader.get_template("web/error_standalone.html").render({"title": title, "message": message})
    return HttpResponse(body, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    return _standalone(
        _("Something went wrong"),
        _("The platform could not complete this request. Nothing was changed; try again in a moment."),
        500,
    )


def bad_request(request: HttpRequest) -> HttpResponse:
    return _standalone(
        _("The request cannot be accepted"), _("The request was malformed or sent to the wrong address."), 400
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal (a form sent from an old page, or with cookies blocked)."""
    return error_page(
        request,
        title=_("The form has expired"),
        message=_(
            "This form was opened too long ago or cookies are blocked. Go back, reload the page and send it again."
        ),
        status=403,
    )
