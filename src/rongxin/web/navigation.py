"""Navigation by role: each signed-in user sees the items their grants allow. The items come from
the installed apps (``nav`` on each ``AppConfig``, :mod:`rongxin.core.registry`); this module
knows no app."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from rongxin.accounts.permissions import user_roles
from rongxin.core.registry import nav_items


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    active: bool


def navigation_for(request: HttpRequest) -> list[NavLink]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = user_roles(user)
    path = request.path
    links = []
    for item in nav_items():
        if not item.is_shown(user, roles):
            continue
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        links.append(NavLink(label=str(item.label), url=url, active=active))
    return links
