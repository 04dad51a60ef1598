"""Page routes of incentives, under ``/incentives/`` in the ``incentives`` namespace (mounted by
``rongxin.config.urls``, which discovers every app's ``pages.urls``)."""

from django.urls import URLPattern, path

from rongxin.incentives.pages import views

app_name = "incentives"

urlpatterns: list[URLPattern] = [
    path("incentives/", views.incentive_list, name="incentives"),
    path("incentives/me/", views.holder_home, name="incentives_me"),
    path("incentives/me/activity/", views.holder_activity, name="incentives_activity"),
    path("incentives/me/credentials/", views.credential_new, name="incentives_credential_new"),
    path(
        "incentives/me/credentials/<str:jti>/withdraw/",
        views.credential_withdraw,
        name="incentives_credential_withdraw",
    ),
    path("incentives/provider/", views.provider_home, name="incentives_provider"),
    path("incentives/provider/check/", views.provider_check, name="incentives_check"),
    path("incentives/provider/redeem/", views.provider_redeem, name="incentives_redeem"),
    path("incentives/provider/propose/", views.provider_propose, name="incentives_propose"),
    path("incentives/verify-offline/", views.verify_offline, name="incentives_verify_offline"),
    path("incentives/manage/", views.manage, name="incentives_manage"),
    path("incentives/manage/providers/new/", views.manage_provider_new, name="incentives_provider_new"),
    path(
        "incentives/manage/providers/<int:provider_id>/accounts/",
        views.manage_provider_accounts,
        name="incentives_provider_accounts",
    ),
    path("incentives/manage/<int:incentive_id>/decide/", views.manage_decide, name="incentives_decide"),
]
