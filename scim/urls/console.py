from django.urls import path

from scim.views import console as views

app_name = "scim-console"

urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<str:prefix>/revoke/", views.token_revoke, name="token-revoke"),
]
