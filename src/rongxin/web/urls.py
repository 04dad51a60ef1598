from django.urls import path

from rongxin.web import views
from rongxin.web.pages import jobs

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("jobs/", jobs.jobs, name="jobs"),
]
