from django.urls import path

from processing import views

app_name = "processing"

urlpatterns = [
    path("", views.record, name="record"),
    path("csv/", views.record_csv, name="csv"),
    path("<slug:slug>/edit/", views.activity_edit, name="edit"),
]
