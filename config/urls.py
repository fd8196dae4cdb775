from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.urls import account as accounts_account_urls
from accounts.urls import people as accounts_people_urls
from accounts.urls import public as accounts_urls
from config import views
from cookies.views import public as cookie_views
from records import urls as records_urls
from security.urls import account as security_account_urls
from security.urls import login as security_urls
from security.urls import passkeys as security_passkey_urls
from security.urls import people as security_people_urls

# Django's plain admin ignores OTP; this one asks for a verified second factor.
admin.site.__class__ = OTPAdminSite

# Swagger UI under the site's CSP: the split view serves its init script from a URL (no inline
# script), our template links its page style, and its stylesheet's data: images are allowed here.
swagger_ui = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(
        url_name="api-schema", template_name="config/swagger_ui.html"
    )
)

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    # First: integrations call these the most, and the resolver tries each pattern in turn.
    path("api/v1/", include("config.api_urls")),
    path("scim/v2/", include("scim.urls.protocol")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", swagger_ui, name="api-docs"),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Two apps serve each of these namespaces (login pages are security's, invitations and the
    # account pages accounts'); a namespace has one URLconf, so it is composed here.
    path("accounts/sso/", include("sso.urls.login")),
    path("accounts/", include((security_urls.urlpatterns + accounts_urls.urlpatterns, "accounts"))),
    # The passkey ceremonies (django-otp-webauthn's JSON views, as security runs them) under
    # the library's own namespace, which its template tags name.
    path("accounts/mfa/passkeys/", include((security_passkey_urls.urlpatterns, "otp_webauthn"))),
    path("account/communications/", include("communications.urls")),
    path("account/rights/", include("dsar.urls.account")),
    path(
        "account/",
        include((accounts_account_urls.urlpatterns + security_account_urls.urlpatterns, "account")),
    ),
    path("console/usage/", include("usage.urls.console")),
    path("console/provisioning/", include("scim.urls.console")),
    path("console/sso/", include("sso.urls.console")),
    path("console/", include("accounts.urls.console")),
    path("backoffice/investigations/", include("security.urls.backoffice")),
    path("backoffice/security/", include("security.urls.self_check")),
    path(
        "backoffice/people/",
        include((accounts_people_urls.urlpatterns + security_people_urls.urlpatterns, "people")),
    ),
    path("backoffice/staff/", include("accounts.urls.staff")),
    path("backoffice/organisations/<int:pk>/sso/", include("sso.urls.backoffice")),
    path("backoffice/organisations/", include("backoffice.organisations.urls")),
    path("backoffice/usage/", include("usage.urls.backoffice")),
    path("backoffice/retention/", include("retention.urls")),
    path("backoffice/requests/<str:reference>/execute/", include("dsar.urls.executors")),
    path("backoffice/requests/", include("dsar.urls.backoffice")),
    path("backoffice/complaints/", include("dsar.urls.complaints")),
    path("rights/", include("dsar.urls.public")),
    path("privacy/", cookie_views.privacy_notice, name="privacy"),
    path("cookies/", cookie_views.cookie_settings, name="cookies"),
    path("", include("cookies.urls.public")),
    path("backoffice/cookies/", include("cookies.urls.backoffice")),
    path("backoffice/disclosures/", include(records_urls.disclosure_urls)),
    path("backoffice/processing/", include(records_urls.processing_urls)),
    path("backoffice/processors/", include(records_urls.processor_urls)),
    path("backoffice/recipients/", include("recipients.urls")),
    path("backoffice/enquiries/", include("enquiries.urls.backoffice")),
    path("support/", include("enquiries.urls.public")),
    path("backoffice/audit/", include("audit.urls")),
    path("backoffice/breaches/", include("breaches.urls")),
    path("backoffice/", include("backoffice.urls")),
    path("admin/", admin.site.urls),
]
