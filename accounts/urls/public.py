from django.urls import path

from accounts.views import account as views

# Served under /accounts/ in the "accounts" namespace, beside security's login pages: config
# composes the namespace from both lists (security imports accounts, never the reverse).
urlpatterns = [
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
