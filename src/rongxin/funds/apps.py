from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.core.registry import ApiArea, FilePanel, NavItem


class FundsConfig(AppConfig):
    name = "rongxin.funds"
    label = "funds"
    verbose_name = "Funds and commendations"

    api_areas = (ApiArea("funds", pgettext_lazy("api area", "Funds and commendations"), order=80),)

    nav = (NavItem(_("Funds"), "funds:home", order=70, shown="rongxin.funds.permissions.common.shows_funds"),)
    file_panels = (
        FilePanel(
            "commendations",
            "funds/_file_panel.html",
            context="rongxin.funds.pages.panels.file_panel",
            order=28,
        ),
    )

    code_labels = {
        "audit.action": {
            # books
            "fund.open": _("Opened a fund"),
            "fund.read": _("Read a fund's books"),
            "fund_entry.post": _("Posted a journal entry"),
            "fund_entry.reverse": _("Reversed a journal entry"),
            "fund_period.close": _("Closed a month of a fund's books"),
            "fund_voucher.read": _("Read a voucher"),
            # county fund and village funds
            "budget_line.set": _("Set a budget line of the county fund"),
            "allocation.create": _("Allocated money from the county fund"),
            "allocation.reverse": _("Reversed an allocation from the county fund"),
            "fund_donation.record": _("Recorded a donation to a fund"),
            "fund_income.record": _("Recorded income of a fund"),
            "fund_spending.record": _("Recorded spending of a fund"),
            # commendations
            "meeting.create": _("Created a commendation meeting"),
            "meeting.nominate": _("Drew the nominations of a meeting"),
            "nomination.add": _("Added a name to a meeting's list"),
            "nomination.remove": _("Removed a name from a meeting's list"),
            "nomination.set_award": _("Set the award of a nominee"),
            "meeting.publicity": _("Put a meeting's list in publicity"),
            "objection.lodge": _("Objection to a nomination lodged"),
            "objection.answer": _("Answered an objection to a nomination"),
            "meeting.award": _("Paid and recorded a meeting's awards"),
            "meeting.publicity_end": _("Publicity of a meeting's list ended"),
            "meeting.publish": _("Published an honour roll"),
            "meeting.cancel": _("Cancelled a commendation meeting"),
            "meeting.read": _("Read a meeting's working list"),
        },
        "audit.object_type": {
            "fund": _("Fund"),
            "journal_entry": _("Journal entry"),
            "voucher": _("Voucher"),
            "budget_line": _("Budget line"),
            "allocation": _("Allocation"),
            "fund_donation": _("Donation to a fund"),
            "meeting": _("Commendation meeting"),
            "nomination": _("Nomination"),
            "nomination_objection": _("Objection to a nomination"),
        },
        "core.job": {
            "funds.publicity_ends": _("Commendation publicity ends"),
        },
    }
