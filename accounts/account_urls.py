from django.urls import path

from accounts import auth_views, communication_views, views

app_name = "account"

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
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_confirm"),
    path("security/", auth_views.security, name="security"),
    path("security/sessions/<int:session_id>/end/", auth_views.session_end, name="session_end"),
]
