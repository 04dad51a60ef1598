from django.urls import path

from rongxin.web import account_views

urlpatterns = [
    path("account/", account_views.account_mine, name="account_mine"),
    path("account/staff/", account_views.staff_list, name="account_staff"),
    path("account/staff/<int:user_id>/", account_views.staff_detail, name="account_staff_detail"),
    path("account/grants/<int:grant_id>/revoke/", account_views.grant_revoke_page, name="grant_revoke"),
    path("account/api-keys/<int:key_id>/revoke/", account_views.api_key_revoke_page, name="api_key_revoke"),
]
