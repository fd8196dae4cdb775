from django.urls import path

from accounts import communication_views, views
from dsar import intake_views as dsar_intake_views

# Served under /account/ in the "account" namespace, which config composes from this list and
# security's (the security page): security imports accounts, never the reverse.
urlpatterns = [
    path("", views.account_home, name="home"),
    path("communications/", communication_views.communications, name="communications"),
    path(
        "communications/object/",
        communication_views.communications_object,
        name="communications_object",
    ),
    path(
        "communications/withdraw-objection/",
        communication_views.communications_withdraw_objection,
        name="communications_withdraw_objection",
    ),
    path(
        "communications/unsubscribe/<str:token>/",
        communication_views.unsubscribe,
        name="unsubscribe",
    ),
    path("rights/", dsar_intake_views.account_rights, name="rights"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_confirm"),
]
