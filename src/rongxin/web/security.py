"""Security headers on every response.

- **Content-Security-Policy**: scripts, styles, fonts, images and connections from this origin only
  (the pages have no inline script, style attribute or event handler; htmx's own indicator style
  is turned off in ``base.html``), no plugins, no framing, forms post only here. The interactive
  API docs (``/api/v1/docs``, Swagger UI from the installed package) need inline script and style,
  so that one page gets a policy allowing them, still from this origin only.
- **Permissions-Policy**: the camera (providers scanning credentials) and location (check-in) for
  this origin only; microphone, payment and USB for nobody.
- ``X-Frame-Options``, ``X-Content-Type-Options``, ``Referrer-Policy``, HSTS (production) and
  secure cookies come from Django's own settings (see ``config/settings.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PERMISSIONS = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"
DOCS_PATHS = ("/api/v1/docs",)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = DOCS_POLICY if request.path.startswith(DOCS_PATHS) else POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
