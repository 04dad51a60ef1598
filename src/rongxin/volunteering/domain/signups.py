"""What a volunteer reads for their own sign-up: its status while the activity is ahead, and how
it ended once the activity is over (``已确认`` on a finished or cancelled activity misleads).

Pure: the "my sign-ups" list, the activity page and the API share it; the words live in
``apps.py`` under ``volunteering.signup_state``.
"""

from __future__ import annotations

import datetime as dt

# States beyond the sign-up's own status codes (invited, confirmed, waitlisted, ...).
ACTIVITY_CANCELLED = "activity_cancelled"  # the organiser cancelled the activity
HOURS_PENDING = "hours_pending"  # over, the organiser has not verified the hours yet
HOURS_VERIFIED = "hours_verified"  # closed with a service record for the volunteer
NO_SERVICE = "no_service"  # closed without a service record for the volunteer (did not come)
ENDED = "ended"  # over while waitlisted or invited: the volunteer did not take part
STATES = (ACTIVITY_CANCELLED, HOURS_PENDING, HOURS_VERIFIED, NO_SERVICE, ENDED)


def signup_state(*, status: str, activity_status: str, ends_at: dt.datetime, now: dt.datetime, recorded: bool) -> str:
    """The state to show for a sign-up of ``status`` to an activity of ``activity_status``
    ending at ``ends_at``, at ``now``; ``recorded``: the volunteer has a current service record
    of the activity. A sign-up the volunteer or the organiser ended keeps its own status."""
    if status in ("cancelled", "declined"):
        return status
    if activity_status == "cancelled" or status == "dropped":
        return ACTIVITY_CANCELLED
    over = activity_status == "closed" or ends_at <= now
    if not over:
        return status
    if status != "confirmed":
        return ENDED
    if activity_status == "closed":
        return HOURS_VERIFIED if recorded else NO_SERVICE
    return HOURS_PENDING
