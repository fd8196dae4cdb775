from django.urls import path

from accounts.views import console as views

app_name = "console"

urlpatterns = [
    path("", views.users, name="users"),
    path("users/invite/", views.invite, name="invite"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/edit/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/role/", views.user_role, name="user-role"),
    path("users/<int:pk>/suspend/", views.user_action, {"action": "suspend"}, name="user-suspend"),
    path(
        "users/<int:pk>/reactivate/",
        views.user_action,
        {"action": "reactivate"},
        name="user-reactivate",
    ),
    path(
        "users/<int:pk>/terminate/",
        views.user_action,
        {"action": "terminate"},
        name="user-terminate",
    ),
    path(
        "users/<int:pk>/reset-mfa/",
        views.user_action,
        {"action": "reset-mfa"},
        name="user-reset-mfa",
    ),
    path(
        "users/<int:pk>/reinvite/", views.user_action, {"action": "reinvite"}, name="user-reinvite"
    ),
    path("settings/", views.organisation_settings, name="settings"),
    path("settings/passkeys/", views.organisation_passkeys, name="settings-passkeys"),
    path("api-keys/", views.api_keys, name="api-keys"),
    path("api-keys/<str:prefix>/revoke/", views.api_key_revoke_view, name="api-key-revoke"),
]
