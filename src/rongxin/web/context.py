"""Template context: the navigation for the signed-in user's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rongxin.web.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": navigation_for(request)}
