from django.urls import path

from accounts.views import account as views

# Served under /account/ in the "account" namespace, which config composes from this list and
# security's (the security page): security imports accounts, never the reverse.
urlpatterns = [
    path("", views.account_home, name="home"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_confirm"),
]
