"""Display helpers for audit rows: role and action codes as words."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.core import registry

register = template.Library()

ACTION_LABELS = {
    "subject.view": _("Opened the file"),
    "subject.search": _("Searched files"),
    "person.register": _("Registered a person"),
    "organisation.register": _("Registered an enterprise or business"),
    "person.register_duplicate": _("Tried to register an ID number already registered"),
    "organisation.register_duplicate": _("Tried to register a USCC already registered"),
    "consent.grant": _("Recorded consent"),
    "consent.withdraw": _("Recorded withdrawal of consent"),
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Failed sign-in"),
    "user.create": _("Created an account"),
    "grant.add": _("Granted a role"),
    "api_key.create": _("Created an API key"),
    "grant.revoke": _("Revoked a role grant"),
    "api_key.revoke": _("Revoked an API key"),
    "subject_account.link": _("Linked an account to a file"),
    "synth.generate": _("Loaded synthetic data"),
}


@register.filter
def role_label(code: str) -> str:
    if code in Role.values:
        return str(Role(code).label)
    return code or "—"


@register.filter
def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


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
