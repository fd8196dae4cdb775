from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn.views import BeginCredentialRegistrationView

from security.views import passkeys as views

# Served under /accounts/mfa/passkeys/ (reachable before the second step, like the rest of
# /accounts/mfa/) in the "otp_webauthn" namespace: django-otp-webauthn's template tags and
# script name these routes.
urlpatterns = [
    path(
        "registration/begin/",
        BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        views.PasskeyRegistrationComplete.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        views.PasskeyAuthenticationBegin.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        views.PasskeyAuthenticationComplete.as_view(),
        name="credential-authentication-complete",
    ),
    # The words of the library's script (its gettext), served by the app like the script.
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
