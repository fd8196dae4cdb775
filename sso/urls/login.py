from django.urls import path

from sso.views import login as views

app_name = "sso"

urlpatterns = [
    path("", views.sso_discover, name="discover"),
    path("<slug:slug>/", views.sso_start, name="start"),
    path("<slug:slug>/saml/metadata/", views.saml_metadata, name="saml-metadata"),
    path("<slug:slug>/saml/acs/", views.saml_acs, name="saml-acs"),
    path("<slug:slug>/saml/complete/", views.saml_complete, name="saml-complete"),
    path("<slug:slug>/oidc/callback/", views.oidc_callback, name="oidc-callback"),
]
