from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.core.registry import ApiArea, NavItem


class ProjectsConfig(AppConfig):
    name = "rongxin.projects"
    label = "projects"
    verbose_name = "Project marketplace"

    api_areas = (ApiArea("projects", pgettext_lazy("api area", "Project marketplace and small wishes"), order=90),)

    nav = (
        NavItem(
            _("Project marketplace"),
            "projects:catalogue",
            order=72,
            shown="rongxin.projects.permissions.common.shows_projects",
        ),
    )

    code_labels = {
        "audit.action": {
            # projects
            "project.create": _("Created a service project"),
            "project.update": _("Changed a draft service project"),
            "project.publish": _("Published a service project"),
            "project.withdraw": _("Withdrew a service project"),
            "project.start": _("Started a service project"),
            "project.complete": _("Reported a service project completed"),
            "project.accept": _("Accepted a service project"),
            "project.close": _("Closed a service project"),
            "project.read": _("Read a service project's working file"),
            # sponsors
            "pledge.create": _("Pledged to a service project"),
            "pledge.withdraw": _("Withdrew a pledge to a service project"),
            "project_payment.record": _("Recorded a payment to a service project"),
            # implementation
            "team_application.create": _("A team applied to carry out a project"),
            "team_application.withdraw": _("A team withdrew its application"),
            "team_application.pick": _("Picked the team that carries out a project"),
            "team_application.decline": _("Declined a team's application"),
            "project_activity.link": _("Linked an activity to a project"),
            "project_activity.unlink": _("Unlinked an activity from a project"),
            "milestone.plan": _("Planned a project milestone"),
            "milestone.report": _("Reported a project milestone"),
            "project_spending.record": _("Recorded spending of a project"),
            "project_spending.reverse": _("Reversed spending of a project"),
            "project_settlement.record": _("Settled a project's left-over"),
            # small wishes
            "wish.post": _("Posted a small wish"),
            "wish.claim": _("Claimed a small wish"),
            "wish.release": _("Gave up a claimed small wish"),
            "wish.fulfil": _("Delivered a small wish"),
            "wish.confirm": _("Confirmed receipt of a small wish"),
            "wish.withdraw": _("Withdrew a small wish"),
            "wish.read": _("Read a small wish's full record"),
            # ceremony
            "ceremony.create": _("Set up a charity ceremony"),
            "ceremony.update": _("Changed a charity ceremony"),
            "ceremony.launch": _("Launched a charity ceremony's projects"),
            "ceremony.attach": _("Changed a charity ceremony's batch of projects"),
        },
        "audit.object_type": {
            "project": _("Service project"),
            "pledge": _("Pledge"),
            "project_payment": _("Payment to a project"),
            "team_application": _("Team application"),
            "project_activity": _("Project activity"),
            "milestone": _("Milestone"),
            "project_spending": _("Project spending"),
            "project_settlement": _("Left-over settlement"),
            "wish": _("Small wish"),
            "ceremony": _("Charity ceremony"),
        },
        # Why a staff read of a project's working side names persons (the audit row's purpose).
        "subjects.purpose": {
            "payment_desk": _("The project payments desk"),
            "sponsor_certificate": _("A sponsor certificate"),
            "money": pgettext_lazy("audit purpose", "A project's money and vouchers"),
            "voucher": pgettext_lazy("audit purpose", "A project's voucher"),
        },
        "core.job": {
            "projects.ceremony_launch": _("Charity ceremony launches its projects"),
        },
    }
