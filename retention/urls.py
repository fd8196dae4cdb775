from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("policies/<slug:category>/", views.policy_edit, name="policy_edit"),
    path("dry-run/", views.dry_run, name="dry_run"),
    path("policies/<slug:category>/purge/", views.purge_now, name="purge_now"),
    path("holds/new/", views.hold_new, name="hold_new"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
]
