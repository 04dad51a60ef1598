"""Page middleware: Chinese first, and the one free-text rule on every submitted value.

Pages speak Chinese unless the user chose English with the language switch (a cookie).

Django's LocaleMiddleware would follow the browser's Accept-Language, so a browser set to English
would show English pages to county staff who never asked for them. Pages therefore ignore that
header; the JSON API keeps honouring it (clients ask for ``Accept-Language: en`` explicitly).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from rongxin.core import text
from rongxin.core.errors import ApplicationError
from rongxin.web.responses import application_error_page


class PagesInChineseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class TextCheckMiddleware:
    """Every value a page receives (query and form fields) is held to the one free-text rule
    (:mod:`rongxin.core.text`) before a view runs: a lone surrogate, a control character or a
    bidi override answers a Chinese error page (400) and nothing is saved. The API has the same
    rule in its parser (problem+json). Runs after the CSRF check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        values: list[str] = [v for vs in request.GET.lists() for v in vs[1]]
        # A CSRF-checked view has its form read by the CSRF check anyway; an exempt one may
        # set its own upload handlers, which reading the form here would pre-empt.
        multipart = request.content_type == "multipart/form-data"
        if request.method == "POST" and (not multipart or not getattr(view, "csrf_exempt", False)):
            values += [v for vs in request.POST.lists() for v in vs[1]]
        for value in values:
            code = text.text_problem(value)
            if code is not None:
                return render(
                    request,
                    "web/error.html",
                    {"title": _("The input cannot be accepted"), "message": text.problem_message(code)},
                    status=400,
                )
        return None


class ApplicationErrorMiddleware:
    """The one error path for pages: a service error a view did not put on a form becomes the
    right Chinese page (404 for missing and forbidden alike, 429 for rate limits, the error's
    own status with its message otherwise). Views do not catch domain errors by hand; the API
    has its own handlers (problem+json) in ``rongxin.config.api``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/") or not isinstance(exception, ApplicationError):
            return None
        return application_error_page(request, exception)
