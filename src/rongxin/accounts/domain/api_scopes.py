"""What an API key may do: read, or read and write, per area of the API.

An area is the first segment of the path under ``/api/v1/`` (the mounts of each app's router).
A key holds a set of scopes ``<area>:read`` or ``<area>:write`` (write includes read); a scope
only narrows what the key's holder may do, it never adds a right the holder's grants lack.
A path outside every area is refused (deny by default). Each app declares its areas on its
``AppConfig`` (``api_areas``, :class:`rongxin.core.registry.ApiArea`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rongxin.core.registry import api_areas


def areas() -> dict[str, Any]:
    """The API areas every installed app declares (``api_areas`` on its ``AppConfig``), in
    order: code → words."""
    return {area.code: area.label for area in api_areas()}


def area_of_segment(segment: str) -> str | None:
    """The area whose scopes cover the path segment under ``/api/v1/``, if any."""
    for area in api_areas():
        if segment in area.covers():
            return area.code
    return None


READ, WRITE = "read", "write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def all_scopes() -> list[str]:
    """Every scope (what a key made without naming scopes holds: its holder's full access)."""
    return [f"{area}:{level}" for area in areas() for level in (READ, WRITE)]


def read_scopes() -> list[str]:
    return [f"{area}:{READ}" for area in areas()]


def scope_choices() -> list[tuple[str, Any]]:
    """(scope, words) for forms, the scope labels and the command's help; the words are lazy,
    so they follow the language active where they are shown."""
    words = {READ: _("read only"), WRITE: _("read and write")}
    return [
        (f"{area}:{level}", format_lazy("{} · {}", label, words[level]))
        for area, label in areas().items()
        for level in (READ, WRITE)
    ]


def scopes_normalise(raw: Iterable[str]) -> list[str]:
    """The scopes as stored: known ones only, each once, in a fixed order; ``ValueError`` names
    the first unknown one. A write scope makes the read scope of its area redundant."""
    wanted = {s.strip() for s in raw if s.strip()}
    known = all_scopes()
    for scope in sorted(wanted):
        if scope not in known:
            raise ValueError(scope)
    return [s for s in known if s in wanted and not (s.endswith(":read") and s[:-4] + "write" in wanted)]


def area_of_path(path: str, *, root: str = "/api/v1/") -> str | None:
    if not path.startswith(root):
        return None
    segment = path[len(root) :].split("/", 1)[0]
    return area_of_segment(segment)


def scope_allows(scopes: Iterable[str], *, path: str, method: str) -> bool:
    """Whether a key with ``scopes`` may call ``method`` on ``path``: a safe method needs the
    area's read or write scope, any other method its write scope."""
    area = area_of_path(path)
    if area is None:
        return False
    held = set(scopes)
    if method.upper() in SAFE_METHODS:
        return f"{area}:{READ}" in held or f"{area}:{WRITE}" in held
    return f"{area}:{WRITE}" in held


def scopes_within(wanted: Iterable[str], held: Iterable[str]) -> bool:
    """Whether every scope in ``wanted`` is one ``held`` grants (write includes read): a key
    issues keys only within its own scopes, so a narrow key never mints a wider one."""
    have = set(held)
    for scope in wanted:
        area, _sep, level = scope.partition(":")
        if scope not in have and not (level == READ and f"{area}:{WRITE}" in have):
            return False
    return True
