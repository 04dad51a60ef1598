"""Writes in volunteering, one module per area (activities and sign-up, attendance, closing and
corrections, mobilisation, volunteers and teams, certificates, configuration); the common ones
can be imported from here."""

from rongxin.volunteering.services.activities import (
    ActivityInput,
    SignupResult,
    activity_cancel,
    activity_create,
    activity_publish,
    activity_update,
    invitation_decline,
    invitation_send,
    signup_cancel,
    signup_create,
    signup_release,
)
from rongxin.volunteering.services.attendance import attendance_assist, attendance_code, attendance_scan
from rongxin.volunteering.services.closing import (
    Adjustment,
    CloseResult,
    activity_close,
    close_activities,
    correction_decide,
    correction_request,
)
from rongxin.volunteering.services.mobilisation import (
    ShiftInput,
    callout_close,
    callout_create,
    duty_add_staff,
    duty_respond,
    duty_withdraw,
)
from rongxin.volunteering.services.people import (
    leader_set,
    membership_apply,
    membership_decide,
    membership_leave,
    team_create,
    volunteer_patch,
    volunteer_register,
    volunteer_update,
    volunteer_withdraw,
)

__all__ = [
    "ActivityInput",
    "Adjustment",
    "CloseResult",
    "ShiftInput",
    "SignupResult",
    "activity_cancel",
    "activity_close",
    "activity_create",
    "activity_publish",
    "activity_update",
    "attendance_assist",
    "attendance_code",
    "attendance_scan",
    "callout_close",
    "callout_create",
    "close_activities",
    "correction_decide",
    "correction_request",
    "duty_add_staff",
    "duty_respond",
    "duty_withdraw",
    "invitation_decline",
    "invitation_send",
    "leader_set",
    "membership_apply",
    "membership_decide",
    "membership_leave",
    "signup_cancel",
    "signup_create",
    "signup_release",
    "team_create",
    "volunteer_patch",
    "volunteer_register",
    "volunteer_update",
    "volunteer_withdraw",
]
