"""Pages speak Chinese unless the user chose English with the language switch (a cookie).

Django's LocaleMiddleware would follow the browser's Accept-Language, so a browser set to English
would show English pages to county staff who never asked for them. Pages therefore ignore that
header; the JSON API keeps honouring it (clients ask for ``Accept-Language: en`` explicitly).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PagesInChineseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
