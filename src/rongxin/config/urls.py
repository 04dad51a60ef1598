"""The site's routes: the API, the language switch, every installed app's pages, then the shell.

An app with ``pages/urls.py`` is mounted at the site root under its own namespace (its
``app_name``), in the order of INSTALLED_APPS; a new module adds its pages without editing this
file. Each app's paths are its own (``/credit/...``, ``/volunteering/...``).
"""

from importlib.util import find_spec

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from rongxin.config.api import api, api_not_found
from rongxin.web.responses import not_found


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


handler404 = page_or_problem_404
