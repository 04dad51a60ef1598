from django.urls import path

from rongxin.web import account_urls, certificate_urls, incentive_urls, views, volunteering_urls

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.my_file, name="my_file"),
    path("me/consent/", views.my_consent, name="my_consent"),
    path("regions/", views.regions, name="regions"),
    path("regions/<str:code>/", views.regions, name="region"),
    path("subjects/", views.subject_search, name="subject_search"),
    path("subjects/new/person/", views.person_register, name="person_register"),
    path("subjects/new/organisation/", views.organisation_register, name="organisation_register"),
    path("subjects/<int:subject_id>/", views.subject_detail, name="subject_detail"),
    path("subjects/<int:subject_id>/consent/", views.subject_consent, name="subject_consent"),
    path("audit/", views.audit_log, name="audit_log"),
]
urlpatterns += volunteering_urls.urlpatterns + certificate_urls.urlpatterns
urlpatterns += incentive_urls.urlpatterns
urlpatterns += account_urls.urlpatterns
