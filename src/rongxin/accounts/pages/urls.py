from django.urls import path

from rongxin.accounts.pages import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.account_mine, name="account_mine"),
    path("account/staff/", views.staff_list, name="account_staff"),
    path("account/staff/<int:user_id>/", views.staff_detail, name="account_staff_detail"),
    path("account/grants/<int:grant_id>/revoke/", views.grant_revoke_page, name="grant_revoke"),
    path("account/api-keys/<int:key_id>/revoke/", views.api_key_revoke_page, name="api_key_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]
