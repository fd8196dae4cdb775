"""Public routes besides /privacy/ and /cookies/ themselves (named in config/urls.py)."""

from django.urls import path

from cookies.views import gpc, remember
from cookies.views import public as views

app_name = "cookies"

urlpatterns = [
    path("cookies/consent/", views.consent_decide, name="consent"),
    path("cookies/theme/", views.theme_save, name="theme"),
    path("cookies/analytics/visit/", views.analytics_visit, name="analytics-visit"),
    path("cookies/forget-me/", remember.forget_me, name="forget-me"),
    path(".well-known/gpc.json", gpc.gpc_support, name="gpc-support"),
    path(
        "cookies/policy/versions/<int:number>/",
        views.policy_version,
        {"kind": "cookies"},
        name="cookie-policy-version",
    ),
    path(
        "privacy/versions/<int:number>/",
        views.policy_version,
        {"kind": "privacy"},
        name="privacy-version",
    ),
]
