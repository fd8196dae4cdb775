from django.urls import path

from security.views import account as views

# Served under /account/ in the "account" namespace (account:security), which config composes
# from accounts' list and this one.
urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("security/passkeys/<int:pk>/", views.passkey_detail, name="passkey"),
    path("security/passkeys/<int:pk>/remove/", views.passkey_delete, name="passkey_remove"),
]
