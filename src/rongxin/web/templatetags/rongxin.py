"""Display helpers: roles and codes as words, an app's panel on a file page."""

from __future__ import annotations

from typing import Any

from django import template

from rongxin.accounts.domain.roles import Role
from rongxin.core import registry

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    if code in Role.values:
        return str(Role(code).label)
    return code or "—"


@register.simple_tag(takes_context=True)
def file_panel(context: template.Context, panel: Any) -> str:
    """Render one app's panel on a file page (:func:`rongxin.core.registry.panels_for`) with the
    page's context plus the panel's own."""
    with context.push(**panel.context):
        return context.template.engine.get_template(panel.template).render(context)  # type: ignore[union-attr]


@register.filter
def code_label(code: str, kind: str) -> str:
    """``{{ row.action|code_label:"audit.action" }}``: the words for a code
    (:func:`rongxin.core.registry.code_label`)."""
    return registry.code_label(kind, code)
