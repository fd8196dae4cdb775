"""The audit-trail viewer, under /backoffice/audit/."""

from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("audit-trail.csv", views.entry_export, name="export"),
    path("verify/", views.verify, name="verify"),
]
