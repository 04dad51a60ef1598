from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.core.registry import FilePanel, NavItem


class VolunteeringConfig(AppConfig):
    name = "rongxin.volunteering"
    label = "volunteering"
    verbose_name = "Volunteering"

    nav = (
        NavItem(
            _("Volunteering"),
            "volunteering:my_volunteering",
            order=30,
            shown="rongxin.volunteering.permissions.speaks_for_self",
        ),
        NavItem(
            _("Activities"),
            "volunteering:activity_list",
            order=31,
            shown="rongxin.volunteering.permissions.speaks_for_self",
        ),
        NavItem(_("My teams"), "volunteering:teams_mine", order=40, roles=frozenset({Role.TEAM_LEADER})),
        NavItem(
            _("Teams"), "volunteering:team_list", order=50, shown="rongxin.volunteering.permissions.administers_teams"
        ),
        NavItem(
            _("Call-outs"),
            "volunteering:callout_list",
            order=51,
            shown="rongxin.volunteering.permissions.administers_teams",
        ),
    )
    file_panels = (
        FilePanel(
            "volunteering",
            "volunteering/_file_panel.html",
            context="rongxin.volunteering.pages.panels.file_panel",
            order=20,
        ),
    )

    def ready(self) -> None:
        from rongxin.volunteering.models import Signup

        # What a volunteer reads for their own sign-up (domain/signups.py): the sign-up's own
        # status while the activity is ahead (the model's words), how it ended afterwards.
        self.code_labels = {
            "volunteering.signup_state": {
                **dict(Signup.Status.choices),
                "activity_cancelled": Signup.Status.DROPPED.label,
                "hours_pending": _("Ended, hours being verified"),
                "hours_verified": _("Ended, hours verified"),
                "no_service": _("Ended, no service recorded"),
                "ended": _("Ended"),
            },
        }
