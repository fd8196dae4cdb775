from django.urls import path

from accounts import auth_views, views
from dsar import intake_views as dsar_intake_views

app_name = "account"

urlpatterns = [
    path("", views.account_home, name="home"),
    path("rights/", dsar_intake_views.account_rights, name="rights"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_confirm"),
    path("security/", auth_views.security, name="security"),
    path("security/sessions/<int:session_id>/end/", auth_views.session_end, name="session_end"),
]
