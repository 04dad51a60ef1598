from django.urls import path

from rongxin.subjects.pages import views

app_name = "subjects"

urlpatterns = [
    path("me/", views.my_file, name="my_file"),
    path("me/consent/", views.my_consent, name="my_consent"),
    path("regions/", views.regions, name="regions"),
    path("regions/<str:code>/", views.regions, name="region"),
    path("subjects/", views.subject_search, name="subject_search"),
    path("subjects/new/person/", views.person_register, name="person_register"),
    path("subjects/new/organisation/", views.organisation_register, name="organisation_register"),
    path("subjects/<int:subject_id>/", views.subject_detail, name="subject_detail"),
    path("subjects/<int:subject_id>/consent/", views.subject_consent, name="subject_consent"),
]
