from django.contrib.auth import views as auth_views
from django.urls import path

from security.views import login as views

# Served under /accounts/ in the "accounts" namespace (accounts:login, accounts:mfa_verify…),
# which config composes from this list and accounts' invitation page: the names are older
# than this app and every template uses them.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/password/", views.LoginView.as_view(sso_routing=False), name="login_password"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/backup-codes/", views.mfa_backup_codes, name="mfa_backup_codes"),
    path("mfa/disable/", views.mfa_disable, name="mfa_disable"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
]
