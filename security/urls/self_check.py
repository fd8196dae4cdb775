from django.urls import path

from security.views import self_check as views

app_name = "security-check"

urlpatterns = [
    path("", views.self_check, name="page"),
    path("run/", views.self_check_run, name="run"),
]
