from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from rongxin.config.api import api, api_not_found
from rongxin.web.responses import not_found

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("rongxin.web.urls")),
]


def page_or_problem_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A path no route matches: problem+json under /api/, the Chinese "not found" page elsewhere."""
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return not_found(request)


handler404 = page_or_problem_404
