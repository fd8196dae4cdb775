from django.urls import path

from sso.views import backoffice as views

app_name = "sso-backoffice"

urlpatterns = [
    path("", views.sso_settings, name="settings"),
    path("metadata/refresh/", views.sso_metadata_refresh_view, name="metadata-refresh"),
    path("domains/", views.domain_add, name="domain-add"),
    path("domains/<int:claim_pk>/verify/", views.domain_verify, name="domain-verify"),
    path("domains/<int:claim_pk>/remove/", views.domain_remove, name="domain-remove"),
]
