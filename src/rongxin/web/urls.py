from django.urls import path

from rongxin.web import account_urls, certificate_urls, credit_views, incentive_urls, views, volunteering_urls
from rongxin.web.pages import jobs

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
    path("jobs/", jobs.jobs, name="jobs"),
    path("subjects/<int:subject_id>/credit/", credit_views.entry_record, name="entry_record"),
    path("credit/entries/<int:entry_id>/objection/", credit_views.entry_object, name="entry_object"),
    path("credit/entries/<int:entry_id>/repair/", credit_views.repair_apply, name="repair_apply"),
    path("credit/review/", credit_views.review, name="credit_review"),
    path("credit/imports/", credit_views.imports, name="imports"),
    path("credit/imports/<int:batch_id>/", credit_views.import_detail, name="import_detail"),
    path("credit/catalogues/", credit_views.catalogues, name="catalogues"),
    path("credit/catalogues/<int:catalogue_id>/", credit_views.catalogue, name="catalogue"),
    path("credit/catalogues/<int:catalogue_id>/simulate/", credit_views.catalogue_simulate, name="catalogue_simulate"),
]
urlpatterns += volunteering_urls.urlpatterns + certificate_urls.urlpatterns
urlpatterns += incentive_urls.urlpatterns
urlpatterns += account_urls.urlpatterns
