"""An end user's own rights requests, under /account/rights/: served by dsar so that accounts,
which owns the rest of /account/, need not import the rights requests."""

from django.urls import path

from dsar.views import intake

app_name = "account-rights"

urlpatterns = [
    path("", intake.account_rights, name="list"),
]
