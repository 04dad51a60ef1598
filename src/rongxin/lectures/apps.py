from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.core.registry import ApiArea, FilePanel, NavItem


class LecturesConfig(AppConfig):
    name = "rongxin.lectures"
    label = "lectures"
    verbose_name = "Lectures"

    api_areas = (ApiArea("lectures", pgettext_lazy("api area", "Lectures"), order=70),)

    nav = (
        NavItem(_("Lectures"), "lectures:home", order=65, shown="rongxin.lectures.permissions.common.shows_lectures"),
    )
    file_panels = (
        FilePanel(
            "lectures", "lectures/_file_panel.html", context="rongxin.lectures.pages.panels.file_panel", order=25
        ),
    )

    code_labels = {
        "audit.action": {
            "book.create": _("Started a new version of the sayings book"),
            "book.update": _("Changed a draft of the sayings book"),
            "book.publish": _("Published the sayings book"),
            "saying.create": _("Added a saying"),
            "saying.update": _("Changed a saying"),
            "saying.delete": _("Removed a saying from a draft"),
            "speaker.create": _("Added a speaker"),
            "speaker.update": _("Changed a speaker"),
            "link.create": _("Linked a leader to their adoption points"),
            "link.end": _("Ended a leader's adoption link"),
            "quota_policy.set": _("Set the lecture quota"),
            "quota.remind": _("Reminded a head of their lecture quota"),
            "quota.read": _("Read a head's lecture quota history"),
            "team_brand.set": _("Set a lecture team's brand"),
            "order.create": _("Ordered a lecture"),
            "order.dispatch": _("Dispatched a lecture order"),
            "order.accept": _("Accepted a lecture order"),
            "order.decline": _("Declined a lecture order"),
            "order.cancel": _("Cancelled a lecture order"),
            "order.rate": _("Rated a lecture"),
            "order.expire": _("A lecture order expired"),
            "order.timeout": _("A lecture order was not answered in time"),
            "session.create": _("Recorded a lecture session"),
            "session.update": _("Changed a lecture session"),
            "session.cancel": _("Cancelled a lecture session"),
            "session.close": _("Closed a lecture session and awarded credit"),
            "session.photo_add": _("Added a photo to a lecture session"),
            "lecture_attendance.in": _("Checked in at a lecture"),
            "lecture_attendance.assisted": _("Recorded a listener at a lecture"),
            "session.listeners_read": _("Read the listeners of a lecture session"),
        },
        "audit.object_type": {
            "book": _("Sayings book"),
            "saying": _("Saying"),
            "speaker": _("Speaker"),
            "adoption_link": _("Adoption link"),
            "quota_policy": _("Lecture quota policy"),
            "lecture_team": _("Lecture team"),
            "lecture_order": _("Lecture order"),
            "lecture_session": _("Lecture session"),
        },
        "core.job": {
            "lectures.quota_reminders": _("Remind heads of their lecture quota"),
            "lectures.orders_deadlines": _("Apply lecture order deadlines"),
        },
        # The verdict of a head's quota in a period.
        "lectures.quota_state": {
            "done": _("Done"),
            "due": _("Due"),
            "overdue": _("Overdue"),
            "not_due": _("No quota"),
        },
        # Why a listener's check-in was refused.
        "lectures.checkin_problem": {
            "already_in": _("Already checked in at this lecture"),
            "elsewhere": _("Checked in at another lecture at the same time"),
            "speaker": _("Speakers of a lecture do not check in as listeners"),
            "not_open": _("The lecture is not open for check-in"),
        },
    }
