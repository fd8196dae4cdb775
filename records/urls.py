"""The records' pages keep their own paths and URL namespaces: /backoffice/disclosures/
("disclosures:…") and /backoffice/processing/ ("processing:…"); config/urls.py mounts each."""

from django.urls import path

from records import views

disclosure_urls = (
    [
        path("", views.disclosure_list, name="list"),
        path("csv/", views.disclosure_csv, name="csv"),
        path("new/", views.disclosure_new, name="new"),
        path("<int:pk>/", views.disclosure_detail, name="detail"),
    ],
    "disclosures",
)

processing_urls = (
    [
        path("", views.processing_record, name="record"),
        path("csv/", views.processing_record_csv, name="csv"),
        path("<slug:slug>/edit/", views.processing_activity_edit, name="edit"),
    ],
    "processing",
)
