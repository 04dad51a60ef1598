"""The credit pages, mounted at the site root by ``rongxin.config.urls`` (namespace ``credit``)."""

from django.urls import path, re_path

from rongxin.credit.pages import views

app_name = "credit"

urlpatterns = [
    path("subjects/<int:subject_id>/credit/", views.entry_record, name="entry_record"),
    path("credit/entries/<int:entry_id>/objection/", views.entry_object, name="entry_object"),
    path("credit/entries/<int:entry_id>/repair/", views.repair_apply, name="repair_apply"),
    path("credit/review/", views.review, name="credit_review"),
    path("credit/imports/", views.imports, name="imports"),
    path("credit/imports/<int:batch_id>/", views.import_detail, name="import_detail"),
    re_path(r"^credit/imports/template\.(?P<fmt>csv|xlsx)$", views.import_template, name="import_template"),
    path("credit/catalogues/", views.catalogues, name="catalogues"),
    path("credit/catalogues/<int:catalogue_id>/", views.catalogue, name="catalogue"),
    path("credit/catalogues/<int:catalogue_id>/simulate/", views.catalogue_simulate, name="catalogue_simulate"),
    path("credit/simulations/<int:simulation_id>/", views.simulation, name="simulation"),
]
