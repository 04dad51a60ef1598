"""The forced password change: an account whose password an administrator set (a new account,
or a reset) is sent to the change-password page, and nothing else opens until it has chosen its
own. The API answers such a session 403 ``password_change_required`` itself
(:class:`rongxin.accounts.api.auth.SessionAuth`); API keys are not affected (a key is not a
password and was issued by its holder or an administrator on purpose).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "must_change_password", False):
            return self.get_response(request)
        path = request.path_info
        change = reverse("accounts:password_change")
        # The language switch too: the change page is read in the person's language.
        open_paths = (change, reverse("web:logout"), reverse("set_language"))
        if path in open_paths or path.startswith((settings.STATIC_URL or "/static/", "/api/")):
            return self.get_response(request)
        if request.headers.get("HX-Request"):
            # htmx follows a 302 inside the page; a full-page visit is what is wanted.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = change
            return response
        target = change
        if request.method == "GET":
            target = f"{change}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(target)
