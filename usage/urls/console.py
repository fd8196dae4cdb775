from django.urls import path

from usage import views

app_name = "usage"

urlpatterns = [
    path("", views.report, name="report"),
    path("export/", views.organisation_export_download, name="export"),
]
