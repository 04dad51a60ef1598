from django.urls import path

from rongxin.web import credit_views, views
from rongxin.web.pages import jobs

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
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
