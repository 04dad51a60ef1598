from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.accounts.domain.roles import Role
from rongxin.core.registry import ApiArea, FilePanel, NavItem


class VolunteeringConfig(AppConfig):
    name = "rongxin.volunteering"
    label = "volunteering"
    verbose_name = "Volunteering"

    api_areas = (
        ApiArea(
            "volunteering",
            pgettext_lazy("api area", "Volunteering"),
            order=50,
            segments=("volunteering", "certificates"),
        ),
    )

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
    code_labels = {
        "audit.action": {
            "activity_type.create": _("Created an activity type"),
            "activity_type.update": _("Changed an activity type"),
            "conversion_policy.set": _("Set the hours-to-points policy"),
            "callout.create": _("Started a call-out"),
            "callout.respond": _("Answered a call-out"),
            "callout.withdraw": _("Withdrew from a call-out shift"),
            "callout.staff": _("Assigned a volunteer to a call-out shift"),
            "callout.close": _("Closed a call-out"),
            "attendance.in": _("Checked in"),
            "attendance.out": _("Checked out"),
            "attendance.assisted_in": _("Checked a volunteer in"),
            "attendance.assisted_out": _("Checked a volunteer out"),
            "activity.create": _("Created an activity"),
            "activity.update": _("Changed an activity"),
            "activity.publish": _("Published an activity"),
            "activity.cancel": _("Cancelled an activity"),
            "activity.close": _("Verified the hours of an activity"),
            "record.correction_request": _("Asked for a service record to be corrected"),
            "record.correction_accept": _("Corrected a service record"),
            "record.correction_refuse": _("Refused to correct a service record"),
            "volunteer.register": _("Registered as a volunteer"),
            "volunteer.update": _("Changed a volunteer profile"),
            "volunteer.withdraw": _("Withdrew as a volunteer"),
            "team.create": _("Created a team"),
            "team.apply": _("Applied to join a team"),
            "team.accept": _("Accepted a member into a team"),
            "team.decline": _("Declined an application to a team"),
            "team.leave": _("Left a team"),
            "team.leader": _("Made a member a team leader"),
            "team.leader_removed": _("Removed a team leader"),
            "certificate.issue": _("Issued a service certificate"),
            "certificate.read": _("Looked up a service certificate"),
            "signup.create": _("Signed up for an activity"),
            "signup.cancel": _("Cancelled a sign-up"),
            "signup.invite": _("Invited a volunteer to an activity"),
            "signup.decline": _("Declined an invitation to an activity"),
        },
        "audit.object_type": {
            "activity": _("Activity"),
            "activity_type": _("Activity type"),
            "conversion_policy": _("Hours-to-points policy"),
            "callout": _("Call-out"),
            "shift": _("Call-out shift"),
            "service_record": _("Service record"),
            "volunteer": _("Volunteer"),
            "team": _("Team"),
            "certificate": _("Service certificate"),
        },
        # What the flags on scans, roster lines and records mean, for organisers and volunteers.
        "volunteering.flag": {
            "overlap": _("Overlaps another activity"),
            "duplicate_scans": _("Repeated or refused scans"),
            "beyond_window": _("Scanned outside the activity's time"),
            "missing_checkout": _("Checked in, never checked out"),
            "outside_geofence": _("Scanned away from the venue"),
            "no_location": _("No location with the scan"),
            "walk_in": _("Came without signing up"),
            "absent": _("Signed up, never scanned"),
            "adjusted": _("Time changed by the organiser"),
            "entered_by_organiser": _("Time entered by the organiser"),
            "corrected": _("Corrected at the volunteer's request"),
        },
        # Why a scan was refused.
        "volunteering.scan_problem": {
            "replayed": _("Code used twice"),
            "already_in": _("Already checked in"),
            "not_in": _("Check-out without check-in"),
        },
        "volunteering.phase": {
            "draft": _("Draft"),
            "published": _("Not started"),
            "ongoing": _("Under way"),
            "finished": _("Ended, awaiting verification"),
            "cancelled": _("Cancelled"),
            "closed": _("Closed (hours verified)"),
        },
    }

    def ready(self) -> None:
        from rongxin.volunteering.models import Signup

        # What a volunteer reads for their own sign-up (domain/signups.py): the sign-up's own
        # status while the activity is ahead (the model's words), how it ended afterwards.
        self.code_labels = {
            **self.code_labels,
            "volunteering.signup_state": {
                **dict(Signup.Status.choices),
                "activity_cancelled": Signup.Status.DROPPED.label,
                "hours_pending": _("Ended, hours being verified"),
                "hours_verified": _("Ended, hours verified"),
                "no_service": _("Ended, no service recorded"),
                "ended": _("Ended"),
            },
        }
