from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from rongxin.core.addresses import client_address
from rongxin.core.context import client_ip


class RequestContextMiddleware:
    """Records the client address (through trusted proxies, see ``core/addresses.py``) for the
    audit log for the duration of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
