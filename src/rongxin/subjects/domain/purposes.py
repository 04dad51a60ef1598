"""Why a staff member opens a person's file: the codes stored on the audit row, with their
words (the person reads them under "who viewed my file")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PURPOSES = {
    "service": _("Handling the person's own request"),
    "record": _("Recording a credit entry"),
    "review": _("Reviewing an objection or repair"),
    "verification": _("Verifying registration data"),
    "supervision": _("Supervision and inspection"),
}
