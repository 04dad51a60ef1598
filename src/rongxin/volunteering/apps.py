from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.core.registry import NavItem


class VolunteeringConfig(AppConfig):
    name = "rongxin.volunteering"
    label = "volunteering"
    verbose_name = "Volunteering"

    nav = (
        NavItem(
            _("Volunteering"), "web:my_volunteering", order=30, shown="rongxin.volunteering.permissions.speaks_for_self"
        ),
        NavItem(
            _("Activities"), "web:activity_list", order=31, shown="rongxin.volunteering.permissions.speaks_for_self"
        ),
        NavItem(_("My teams"), "web:teams_mine", order=40, roles=frozenset({Role.TEAM_LEADER})),
        NavItem(_("Teams"), "web:team_list", order=50, shown="rongxin.volunteering.permissions.administers_teams"),
        NavItem(
            _("Call-outs"), "web:callout_list", order=51, shown="rongxin.volunteering.permissions.administers_teams"
        ),
    )
