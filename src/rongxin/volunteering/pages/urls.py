"""Page routes of volunteering, under ``/v/`` in the ``volunteering`` namespace (mounted by
``rongxin.config.urls``).

``certificate_verify`` is the public page that a certificate's QR code opens; its path is fixed
by :func:`rongxin.volunteering.certificates.verify_path` (printed certificates point to it).
"""

from django.urls import URLPattern, path

from rongxin.volunteering.pages import certificate_views
from rongxin.volunteering.pages import views as v

app_name = "volunteering"

urlpatterns: list[URLPattern] = [
    # Activities
    path("v/activities/", v.activity_list, name="activity_list"),
    path("v/activities/<int:activity_id>/", v.activity_detail, name="activity_detail"),
    path("v/activities/<int:activity_id>/edit/", v.activity_edit, name="activity_edit"),
    path("v/activities/<int:activity_id>/publish/", v.activity_publish, name="activity_publish"),
    path("v/activities/<int:activity_id>/cancel/", v.activity_cancel, name="activity_cancel"),
    path("v/activities/<int:activity_id>/invite/", v.invitation_send, name="invitation_send"),
    path("v/activities/<int:activity_id>/signup/", v.signup, name="signup"),
    path("v/activities/<int:activity_id>/signup/cancel/", v.signup_cancel, name="signup_cancel"),
    path("v/activities/<int:activity_id>/decline/", v.invitation_decline, name="invitation_decline"),
    path("v/activities/<int:activity_id>/code/", v.activity_code, name="activity_code"),
    path("v/activities/<int:activity_id>/scans/", v.activity_scans, name="activity_scans"),
    path("v/activities/<int:activity_id>/assist/", v.attendance_assist, name="attendance_assist"),
    path("v/activities/<int:activity_id>/roster/", v.roster, name="roster"),
    path("v/scan/", v.scan, name="scan"),
    path("v/scan/<int:scan_id>/", v.scan_result, name="scan_result"),
    # The volunteer
    path("v/join/", v.volunteer_join, name="volunteer_join"),
    path("v/me/", v.my_volunteering, name="my_volunteering"),
    path("v/me/profile/", v.volunteer_profile_edit, name="volunteer_profile_edit"),
    path("v/me/records/<int:record_id>/correction/", v.correction_new, name="correction_new"),
    # Teams
    path("v/teams/", v.team_list, name="team_list"),
    path("v/teams/new/", v.team_create, name="team_create"),
    path("v/teams/<int:team_id>/", v.team_detail, name="team_detail"),
    path("v/teams/<int:team_id>/apply/", v.team_apply, name="team_apply"),
    path("v/teams/<int:team_id>/leave/", v.team_leave, name="team_leave"),
    path("v/teams/<int:team_id>/leaders/", v.leader_set, name="leader_set"),
    path("v/teams/<int:team_id>/activities/new/", v.activity_create, name="activity_create"),
    path("v/organise/", v.teams_mine, name="teams_mine"),
    path("v/memberships/<int:membership_id>/decide/", v.membership_decide, name="membership_decide"),
    path("v/corrections/<int:correction_id>/decide/", v.correction_decide, name="correction_decide"),
    # Call-outs
    path("v/callouts/", v.callout_list, name="callout_list"),
    path("v/callouts/new/", v.callout_create, name="callout_create"),
    path("v/callouts/<int:callout_id>/", v.callout_detail, name="callout_detail"),
    path("v/callouts/<int:callout_id>/close/", v.callout_close, name="callout_close"),
    path("v/shifts/<int:shift_id>/take/", v.duty_respond, name="duty_respond"),
    path("v/shifts/<int:shift_id>/withdraw/", v.duty_withdraw, name="duty_withdraw"),
    path("v/shifts/<int:shift_id>/staff/", v.duty_add_staff, name="duty_add_staff"),
    # Certificates
    path("v/certificates/new/", certificate_views.certificate_new, name="certificate_new"),
    path("v/certificates/<str:number>.pdf", certificate_views.certificate_pdf, name="certificate_pdf"),
    path("v/certificates/<str:number>/", certificate_views.certificate_detail, name="certificate_detail"),
    path("v/cert/<str:number>/", certificate_views.certificate_verify, name="certificate_verify"),
]
