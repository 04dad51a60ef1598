from django.urls import path

from rongxin.accounts.pages import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.account_mine, name="account_mine"),
    path("account/staff/", views.staff_list, name="account_staff"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/api-keys/new/", views.api_key_new_mine, name="api_key_new"),
    path("account/staff/new/", views.staff_new, name="account_staff_new"),
    path("account/staff/<int:user_id>/", views.staff_detail, name="account_staff_detail"),
    path("account/staff/<int:user_id>/grants/", views.staff_grant, name="account_staff_grant"),
    path(
        "account/staff/<int:user_id>/deactivate/",
        views.staff_active,
        {"active": False},
        name="account_staff_deactivate",
    ),
    path(
        "account/staff/<int:user_id>/reactivate/",
        views.staff_active,
        {"active": True},
        name="account_staff_reactivate",
    ),
    path("account/staff/<int:user_id>/password-reset/", views.staff_password_reset, name="account_password_reset"),
    path("account/staff/<int:user_id>/api-keys/new/", views.staff_api_key_new, name="account_staff_api_key_new"),
    path("account/grants/<int:grant_id>/revoke/", views.grant_revoke_page, name="grant_revoke"),
    path("account/api-keys/<int:key_id>/revoke/", views.api_key_revoke_page, name="api_key_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]
