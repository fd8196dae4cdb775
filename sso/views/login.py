"""The single sign-on login pages (/accounts/sso/…): find the way in by e-mail domain, start
at the organisation's IdP, come back (SAML ACS, OpenID Connect callback), and our SAML
service provider metadata."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import workspace_url
from common.client_ip import client_ip
from common.ratelimit import rate_allow, rate_bucket
from common.redirects import safe_next
from cookies.consent import cookie_flags
from sso import saml
from sso.forms import SsoEmailForm
from sso.models import SsoConnection
from sso.selectors import connection_for_email, connection_for_slug, connection_usable, start_url
from sso.services.logins import LoginRefused, sso_login
from sso.services.oidc_logins import oidc_callback_accept, oidc_login_start
from sso.services.saml_logins import (
    HANDOFF_COOKIE,
    HANDOFF_SECONDS,
    saml_answer_accept,
    saml_handoff_take,
    saml_login_start,
)

logger = logging.getLogger(__name__)

# Answers to the ACS per client IP a minute: each costs a signature check in xmlsec1.
ACS_LIMIT_PER_IP = 30
NO_ROUTE = (
    "Single sign-on is not set up for that e-mail domain. Log in with your password, or ask "
    "your organisation's administrator."
)
UNAVAILABLE = "Single sign-on is not available for this organisation."


def _refused(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    return render(request, "sso/refused.html", {"message": message}, status=status)


def _usable(slug: str, protocol: str | None = None) -> SsoConnection | None:
    """The organisation's connection, if members can log in through it (by ``protocol``)."""
    connection = connection_for_slug(slug)
    if not connection_usable(connection) or protocol not in (None, connection.protocol):
        return None
    return connection


def _logged_in(request: HttpRequest, connection: SsoConnection, vouched, next_url: str):
    try:
        user = sso_login(request, connection=connection, vouched=vouched)
    except LoginRefused as refusal:
        return _refused(request, refusal.message)
    if not request.user.is_authenticated:
        # A suspicious-activity rule held the account during this very login.
        return redirect("accounts:login")
    # The two-step middleware sends anyone who owes a second factor to it first.
    return HttpResponseRedirect(next_url or workspace_url(user))


def _protocol_refused(request: HttpRequest, connection: SsoConnection, refusal: LoginRefused):
    logger.warning(
        "Single sign-on answer refused for organisation %s: %s",
        connection.organisation_id,
        refusal.reason,
    )
    return _refused(request, refusal.message)


def continue_to_sso(request: HttpRequest, connection: SsoConnection, next_url: str = ""):
    """Send a form's sender on to the organisation's IdP, by way of its start page.

    Not a redirect: the site's Content-Security-Policy allows forms to submit only to this
    site (form-action 'self'), and browsers hold every redirect that follows a submission to
    it, so a redirect chain from the login form to the IdP would be blocked. A page that
    moves on by itself starts a new navigation, which form-action does not govern."""
    return render(
        request,
        "sso/continue.html",
        {"url": start_url(connection, next_url), "organisation": connection.organisation},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def sso_discover(request: HttpRequest) -> HttpResponse:
    """ "Log in with single sign-on": the address's domain says which organisation's IdP."""
    form = SsoEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        connection = connection_for_email(form.cleaned_data["email"])
        if connection is not None:
            return continue_to_sso(request, connection, safe_next(request))
        form.add_error("email", NO_ROUTE)
    return render(
        request,
        "sso/discover.html",
        {"form": form, "next": safe_next(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@require_GET
def sso_start(request: HttpRequest, slug: str) -> HttpResponse:
    connection = _usable(slug)
    if connection is None:
        return _refused(request, UNAVAILABLE, status=404)
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or workspace_url(request.user))
    try:
        if connection.is_saml:
            location = saml_login_start(request, connection=connection, next_url=next_url)
        else:
            location = oidc_login_start(request, connection=connection, next_url=next_url)
    except LoginRefused as refusal:
        return _protocol_refused(request, connection, refusal)
    return HttpResponseRedirect(location)


@require_GET
def saml_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    """Our SP metadata for this organisation: served once a SAML connection exists, enabled
    or not, so that the IdP can be set up before logins are turned on."""
    connection = connection_for_slug(slug)
    if connection is None or not connection.is_saml:
        return _refused(request, UNAVAILABLE, status=404)
    return HttpResponse(
        saml.sp_metadata(connection.organisation), content_type="application/samlmetadata+xml"
    )


@csrf_exempt  # The IdP posts here from its own site; the answer is signed, not a form of ours.
@never_cache
@require_POST
def saml_acs(request: HttpRequest, slug: str) -> HttpResponse:
    connection = _usable(slug, SsoConnection.Protocol.SAML)
    if connection is None:
        return _refused(request, UNAVAILABLE, status=404)
    ip = client_ip(request)
    if ip and not rate_allow([(rate_bucket("sso-acs", "ip", ip), ACS_LIMIT_PER_IP, 60)]):
        return _refused(request, "Too many attempts. Wait a minute and try again.", status=429)
    saml_response = request.POST.get("SAMLResponse", "")
    if not saml_response:
        return _refused(request, "No answer from an identity provider was received.", status=400)
    try:
        token = saml_answer_accept(connection=connection, saml_response=saml_response)
    except LoginRefused as refusal:
        return _protocol_refused(request, connection, refusal)
    complete = reverse("sso:saml-complete", kwargs={"slug": slug})
    # 303: the browser GETs the completion step, a same-site request that carries its session.
    response = HttpResponseRedirect(complete, status=303)
    # The token rides in a cookie, not the address: addresses land in access logs and
    # history, and a cookie ties the login to the browser the IdP answered, IdP-initiated too.
    response.set_cookie(
        HANDOFF_COOKIE, token, max_age=HANDOFF_SECONDS, path=complete, **cookie_flags()
    )
    return response


@never_cache
@require_GET
def saml_complete(request: HttpRequest, slug: str) -> HttpResponse:
    response = _saml_completed(request, slug)
    response.delete_cookie(HANDOFF_COOKIE, path=request.path, samesite="Lax")
    return response


def _saml_completed(request: HttpRequest, slug: str) -> HttpResponse:
    connection = _usable(slug, SsoConnection.Protocol.SAML)
    if connection is None:
        return _refused(request, UNAVAILABLE, status=404)
    try:
        vouched, next_url = saml_handoff_take(
            request, connection=connection, token=request.COOKIES.get(HANDOFF_COOKIE, "")
        )
    except LoginRefused as refusal:
        return _protocol_refused(request, connection, refusal)
    return _logged_in(request, connection, vouched, next_url)


@never_cache
@require_GET
def oidc_callback(request: HttpRequest, slug: str) -> HttpResponse:
    connection = _usable(slug, SsoConnection.Protocol.OIDC)
    if connection is None:
        return _refused(request, UNAVAILABLE, status=404)
    try:
        vouched, next_url = oidc_callback_accept(
            request,
            connection=connection,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
        )
    except LoginRefused as refusal:
        return _protocol_refused(request, connection, refusal)
    return _logged_in(request, connection, vouched, next_url)
