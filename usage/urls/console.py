from django.urls import path

from usage import views
from usage.views import exports, reports, subscriptions

app_name = "usage"

urlpatterns = [
    path("", views.report, name="report"),
    path("tasks/", reports.tasks, name="tasks"),
    path(
        "organisation-export/",
        reports.organisation_export_download,
        name="organisation-export",
    ),
    path("subscriptions/", subscriptions.subscriptions, name="subscriptions"),
    path("subscriptions/new/", subscriptions.subscription_new, name="subscription-new"),
    path("subscriptions/<int:pk>/", subscriptions.subscription_edit, name="subscription"),
    path(
        "subscriptions/<int:pk>/cancel/",
        subscriptions.subscription_cancel,
        name="subscription-cancel",
    ),
    path("reports/<int:pk>/", subscriptions.delivery, name="delivery"),
    path("exports/", exports.exports, name="exports"),
    path("exports/<int:pk>/", exports.export, name="export"),
    path("exports/<int:pk>/download/", exports.export_download, name="export-download"),
]
