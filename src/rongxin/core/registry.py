"""What apps contribute to the shell, declared on their ``AppConfig``.

A module adds itself to the platform without editing anyone else's files: its ``apps.py``
declares the navigation items it shows and the panels it adds to a subject's file page, and the
shell (``rongxin.web``) and the file pages (``rongxin.subjects.pages``) collect them here. Checks
and context builders are dotted paths, imported on first use, so ``apps.py`` imports no models.

    class CanteensConfig(AppConfig):
        name = "rongxin.canteens"
        nav = (NavItem(_("Canteens"), "canteens:list", order=70, roles=frozenset({Role.CANTEEN_MANAGER})),)
        file_panels = (FilePanel("canteens", "canteens/_file_panel.html",
                                 context="rongxin.canteens.pages.panels.file_panel", order=40),)
        code_labels = {"audit.action": {"canteen.meal.record": _("Recorded a meal")}}
        api_areas = (ApiArea("canteens", pgettext_lazy("api area", "Canteens"), order=80),)

An app's JSON endpoints form one or more *API areas* (``api_areas``): the path segments under
``/api/v1/`` they cover and the words for the area; API keys are scoped per area
(:mod:`rongxin.accounts.domain.api_scopes`).

Codes that a person may read (audit actions, object types, problem codes, field names of a
catalogue diff...) get their words in one place: each app declares ``code_labels``, a mapping
from a kind of code to ``{code: label}``, and every page asks :func:`code_label`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation, shown to a signed-in user who holds one of ``roles`` or
    passes ``shown(user, roles)`` (a dotted path); with neither, to every signed-in user.
    ``order`` places it among every app's items."""

    label: Any
    url_name: str
    order: int
    roles: frozenset[str] = frozenset()
    shown: str = ""

    def is_shown(self, user: Any, roles: frozenset[str] | set[str]) -> bool:
        if not self.roles and not self.shown:
            return True
        if self.roles & roles:
            return True
        if self.shown:
            check: Callable[[Any, frozenset[str] | set[str]], bool] = _resolve(self.shown)
            return bool(check(user, roles))
        return False


@dataclass(frozen=True)
class FilePanel:
    """A section of a subject's file page. ``context(request, file, own=...)`` (a dotted path)
    returns the template's context, or ``None`` when the panel has nothing for this viewer."""

    name: str
    template: str
    context: str
    order: int

    def build(self, request: Any, file: Any, *, own: bool) -> dict[str, Any] | None:
        builder: Callable[..., dict[str, Any] | None] = _resolve(self.context)
        return builder(request, file, own=own)


@dataclass(frozen=True)
class ApiArea:
    """An area of the JSON API that API-key scopes name (``<code>:read``, ``<code>:write``):
    the path segments under ``/api/v1/`` it covers (its own code when none are given) and the
    words for it. ``order`` places it among every app's areas (the order scopes are listed and
    stored in)."""

    code: str
    label: Any
    order: int
    segments: tuple[str, ...] = ()

    def covers(self) -> tuple[str, ...]:
        return self.segments or (self.code,)


@dataclass(frozen=True)
class ShownPanel:
    name: str
    template: str
    context: dict[str, Any]


@cache
def _resolve(path: str) -> Any:
    return import_string(path)


def nav_items() -> list[NavItem]:
    """Every installed app's navigation items, in order."""
    found = [item for config in apps.get_app_configs() for item in getattr(config, "nav", ())]
    return sorted(found, key=lambda item: item.order)


def file_panels() -> list[FilePanel]:
    """Every installed app's file-page panels, in order."""
    found = [panel for config in apps.get_app_configs() for panel in getattr(config, "file_panels", ())]
    return sorted(found, key=lambda panel: panel.order)


def api_areas() -> list[ApiArea]:
    """Every installed app's API areas, in order."""
    found = [area for config in apps.get_app_configs() for area in getattr(config, "api_areas", ())]
    return sorted(found, key=lambda area: area.order)


@cache
def _code_labels() -> dict[str, dict[str, Any]]:
    """Merged labels; a kind's labels may be given as a function (called once, after every app
    is loaded) when they come from other registries, e.g. the API scopes."""
    merged: dict[str, dict[str, Any]] = {}
    for config in apps.get_app_configs():
        for kind, labels in getattr(config, "code_labels", {}).items():
            merged.setdefault(kind, {}).update(labels() if callable(labels) else labels)
    return merged


def code_labels(kind: str) -> dict[str, Any]:
    """Every installed app's labels for codes of ``kind`` (e.g. ``"audit.action"``)."""
    return _code_labels().get(kind, {})


def code_label(kind: str, code: str, default: Any = None) -> str:
    """The words for ``code`` of ``kind``, in the active language; ``default`` (or the code
    itself) when no app labels it. A page-language test fails on codes shown unlabelled."""
    label = code_labels(kind).get(code)
    if label is None:
        return str(code if default is None else default)
    return str(label)


def panels_for(request: Any, file: Any, *, own: bool) -> list[ShownPanel]:
    """The panels this viewer sees on this file, each with its context built."""
    shown = []
    for panel in file_panels():
        context = panel.build(request, file, own=own)
        if context is not None:
            shown.append(ShownPanel(name=panel.name, template=panel.template, context=context))
    return shown
