from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.accounts.domain.roles import STAFF_ROLES, Role
from rongxin.core.registry import ApiArea, FilePanel, NavItem


class CreditConfig(AppConfig):
    name = "rongxin.credit"
    label = "credit"
    verbose_name = "Credit"

    api_areas = (ApiArea("credit", pgettext_lazy("api area", "Credit"), order=40),)

    nav = (
        NavItem(_("Reviews"), "credit:credit_review", order=80, roles=frozenset({Role.COUNTY_CREDIT_OFFICE})),
        NavItem(
            _("Imports"),
            "credit:imports",
            order=90,
            roles=frozenset({Role.DEPARTMENT_RECORDER, Role.COUNTY_CREDIT_OFFICE}),
        ),
        NavItem(_("Catalogues"), "credit:catalogues", order=100, roles=STAFF_ROLES),
    )
    file_panels = (
        FilePanel("credit", "credit/_credit_panel.html", context="rongxin.credit.pages.views.file_panel", order=10),
    )

    code_labels = {
        "audit.action": {
            "credit.entry.record": _("Recorded a credit entry"),
            "credit.awards.record": _("Recorded credit awards"),
            "credit.entry.superseded": _("Replaced a credit entry by a corrected record"),
            "credit.entry.approved": _("Approved a credit entry in review"),
            "credit.entry.rejected": _("Rejected a credit entry in review"),
            "credit.entry.objected": _("Lodged an objection"),
            "credit.entry.objected_again": _("Lodged a further objection with new evidence"),
            "credit.entry.upheld": _("Upheld a credit entry after an objection"),
            "credit.entry.upheld_again": _("Refused a further objection"),
            "credit.entry.revoked": _("Revoked a credit entry after an objection"),
            "credit.repair.applied": _("Applied for credit repair"),
            "credit.repair.approved": _("Approved a credit repair"),
            "credit.repair.refused": _("Refused a credit repair"),
            "credit.import.queued": _("Uploaded a file to import"),
            "credit.import.committed": _("Saved an import"),
            "credit.import.failed": _("An import failed"),
            "credit.import.requeued": _("Queued an interrupted import again"),
            "catalogue.draft": _("Created a draft rule catalogue"),
            "catalogue.publish": _("Published a rule catalogue"),
            "credit.simulation.request": _("Asked for a policy simulation"),
        },
        "audit.object_type": {
            "credit_entry": _("Credit entry"),
            "credit_awards": _("Credit awards"),
            "import": _("Import"),
            "catalogue": _("Rule catalogue"),
        },
        "core.job": {
            "credit.apply_time_changes": _("Apply score changes that fall due"),
            "credit.apply_catalogues": _("Rescore after a new catalogue takes effect"),
            "credit.daily_root": _("Publish the daily root of the credit ledger"),
            "credit.process_import": _("Process an import"),
            "credit.process_imports": _("Process waiting imports"),
            "credit.simulate": _("Simulate a draft catalogue's effect on grades"),
        },
        # The header of an uploaded catalogue, as its problems name it.
        "credit.catalogue_field": {
            "subject_kind": _("Kind of subject"),
            "base_score": _("Base score"),
            "effective_from": _("Effective from"),
            "grades": _("Grades"),
            "rules": _("Rules"),
        },
        # The fields of a rule, as the diff of two catalogue versions names them.
        "credit.rule_field": {
            "name_zh": _("name (Chinese)"),
            "name_en": _("name (English)"),
            "category": _("category"),
            "direction": _("direction"),
            "points_min": _("minimum points"),
            "points_max": _("maximum points"),
            "severity": _("severity"),
            "legal_basis": _("legal basis"),
            "evidence": _("required evidence"),
            "departments": _("departments"),
            "yearly_cap_count": _("yearly cap (entries)"),
            "yearly_cap_points": _("yearly cap (points)"),
            "review_required": _("review before publicity"),
            "objection_days": _("objection window (days)"),
            "counting_days": _("counts for (days)"),
            "repair_after_days": _("repair possible after (days)"),
            "programme": _("recorded only by"),
        },
    }

    def ready(self) -> None:
        from rongxin.credit.services.scores import credit_on_consent_change
        from rongxin.subjects.services import consent_listeners

        if credit_on_consent_change not in consent_listeners:
            consent_listeners.append(credit_on_consent_change)
