"""Page routes of volunteering, under ``/v/`` in the ``volunteering`` namespace (mounted by
``rongxin.config.urls``).

``certificate_verify`` is the public page that a certificate's QR code opens; its path is fixed
by :func:`rongxin.volunteering.domain.certificates.verify_path` (printed certificates point to it).
"""

from django.urls import URLPattern, path

from rongxin.volunteering.pages.views import activities, attendance, callouts, certificates, corrections, teams
from rongxin.volunteering.pages.views import volunteers as me

app_name = "volunteering"

urlpatterns: list[URLPattern] = [
    # Activities
    path("v/activities/", activities.activity_list, name="activity_list"),
    path("v/activities/<int:activity_id>/", activities.activity_detail, name="activity_detail"),
    path("v/activities/<int:activity_id>/edit/", activities.activity_edit, name="activity_edit"),
    path("v/activities/<int:activity_id>/publish/", activities.activity_publish, name="activity_publish"),
    path("v/activities/<int:activity_id>/cancel/", activities.activity_cancel, name="activity_cancel"),
    path("v/activities/<int:activity_id>/invite/", activities.invitation_send, name="invitation_send"),
    path("v/activities/<int:activity_id>/signup/", activities.signup, name="signup"),
    path("v/activities/<int:activity_id>/signup/cancel/", activities.signup_cancel, name="signup_cancel"),
    path("v/activities/<int:activity_id>/decline/", activities.invitation_decline, name="invitation_decline"),
    path("v/activities/<int:activity_id>/code/", attendance.activity_code, name="activity_code"),
    path("v/activities/<int:activity_id>/scans/", attendance.activity_scans, name="activity_scans"),
    path("v/activities/<int:activity_id>/assist/", attendance.attendance_assist, name="attendance_assist"),
    path("v/activities/<int:activity_id>/roster/", attendance.roster, name="roster"),
    path("v/scan/", attendance.scan, name="scan"),
    path("v/scan/<int:scan_id>/", attendance.scan_result, name="scan_result"),
    # The volunteer
    path("v/join/", me.volunteer_join, name="volunteer_join"),
    path("v/me/", me.my_volunteering, name="my_volunteering"),
    path("v/me/profile/", me.volunteer_profile_edit, name="volunteer_profile_edit"),
    path("v/me/records/<int:record_id>/correction/", corrections.correction_new, name="correction_new"),
    # Teams
    path("v/teams/", teams.team_list, name="team_list"),
    path("v/teams/new/", teams.team_create, name="team_create"),
    path("v/teams/<int:team_id>/", teams.team_detail, name="team_detail"),
    path("v/teams/<int:team_id>/apply/", teams.team_apply, name="team_apply"),
    path("v/teams/<int:team_id>/leave/", teams.team_leave, name="team_leave"),
    path("v/teams/<int:team_id>/leaders/", teams.leader_set, name="leader_set"),
    path("v/teams/<int:team_id>/activities/new/", activities.activity_create, name="activity_create"),
    path("v/organise/", teams.teams_mine, name="teams_mine"),
    path("v/memberships/<int:membership_id>/decide/", teams.membership_decide, name="membership_decide"),
    path("v/corrections/<int:correction_id>/decide/", corrections.correction_decide, name="correction_decide"),
    # Call-outs
    path("v/callouts/", callouts.callout_list, name="callout_list"),
    path("v/callouts/new/", callouts.callout_create, name="callout_create"),
    path("v/callouts/<int:callout_id>/", callouts.callout_detail, name="callout_detail"),
    path("v/callouts/<int:callout_id>/close/", callouts.callout_close, name="callout_close"),
    path("v/shifts/<int:shift_id>/take/", callouts.duty_respond, name="duty_respond"),
    path("v/shifts/<int:shift_id>/withdraw/", callouts.duty_withdraw, name="duty_withdraw"),
    path("v/shifts/<int:shift_id>/staff/", callouts.duty_add_staff, name="duty_add_staff"),
    # Certificates
    path("v/certificates/new/", certificates.certificate_new, name="certificate_new"),
    path("v/certificates/<str:number>.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("v/certificates/<str:number>/", certificates.certificate_detail, name="certificate_detail"),
    path("v/cert/<str:number>/", certificates.certificate_verify, name="certificate_verify"),
]
