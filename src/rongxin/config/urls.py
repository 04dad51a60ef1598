"""The site's routes: the API, the language switch, every installed app's pages, then the shell.

An app with ``pages/urls.py`` is mounted at the site root under its own namespace (its
``app_name``), in the order of INSTALLED_APPS; a new module adds its pages without editing this
file. Each app's paths are its own (``/credit/...``, ``/volunteering/...``).
"""

from importlib.util import find_spec

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.translation import gettext as _

from rongxin.config.api import api, api_not_found, problem
from rongxin.web.responses import bad_request, not_found, server_error


def app_pages() -> list:  # type: ignore[type-arg]
    found = []
    for config in apps.get_app_configs():
        name = config.name
        if (
            name.startswith("rongxin.")
            and name != "rongxin.web"
            and find_spec(f"{name}.pages")
            and find_spec(f"{name}.pages.urls")
        ):
            found.append(path("", include(f"{name}.pages.urls")))
    return found


urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *app_pages(),
    path("", include("rongxin.web.urls")),
]


def page_or_problem_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A path no route matches: problem+json under /api/, the Chinese "not found" page elsewhere."""
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return not_found(request)


def page_or_problem_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's PermissionDenied: looks like "not found", so a refusal never reveals a thing exists."""
    return page_or_problem_404(request, exception)


def page_or_problem_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refused before a view (a bad ``Host`` header, a malformed request)."""
    if request.path.startswith("/api/"):
        return problem(request, status=400, code="bad_request", title=_("The request could not be processed."))
    return bad_request(request)


def page_or_problem_500(request: HttpRequest) -> HttpResponse:
    """An unexpected error (logged with its traceback by Django): problem+json under /api/, the
    Chinese error page elsewhere; never Django's debug page, whatever DEBUG says in the demo."""
    if request.path.startswith("/api/"):
        return problem(request, status=500, code="server_error", title=_("The request could not be processed."))
    return server_error(request)


handler400 = page_or_problem_400
handler403 = page_or_problem_403
handler404 = page_or_problem_404
handler500 = page_or_problem_500
