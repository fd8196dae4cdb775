"""The records' pages keep their own paths and URL namespaces: /backoffice/disclosures/
("disclosures:…"), /backoffice/processing/ ("processing:…") and /backoffice/processors/
("processors:…"); config/urls.py mounts each."""

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

processor_urls = (
    [
        path("", views.processor_list, name="list"),
        path("new/", views.processor_new, name="new"),
        path("<int:pk>/", views.processor_detail, name="detail"),
        path("<int:pk>/edit/", views.processor_edit, name="edit"),
    ],
    "processors",
)
