"""Single sign-on in Chromium, from our login form to the IdP and back, under the site's
Content-Security-Policy (form-action 'self': the login form may not redirect to another site,
so a page moves on by itself) and its SameSite=Lax session cookie (the IdP's POST back is
cross-site and carries no cookie, so the ACS hands over to a same-site step)."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from security.models import UserSession
from tests.factories import TEST_PASSWORD, UserFactory
from tests.sso.conftest import oidc_connection_for, saml_connection_for, verify_domain
from tests.sso.oidc_provider import OidcProvider
from tests.sso.saml_idp import SamlIdp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sso_site(settings, live_server):
    # The IdP is told our addresses under SITE_URL: the live server's, here.
    settings.SITE_URL = live_server.url
    settings.SSO_ALLOW_HTTP_LOOPBACK = True


def csp_refusals(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def logged_in_user_ids() -> set[int]:
    return {int(session.get_decoded().get(SESSION_KEY, 0)) for session in Session.objects.all()} - {
        0
    }


def test_a_saml_login_from_the_login_form_through_the_idp_and_back(page: Page, sso_site, tmp_path):
    idp = SamlIdp(tmp_path, host="localhost").start()
    try:
        ada = UserFactory(email="ada@acme.test", full_name="Ada Lovelace")
        organisation = ada.organisation
        admin = UserFactory(organisation=organisation, role="client_admin")
        verify_domain(organisation, "acme.test")
        saml_connection_for(organisation, idp, admin, sso_required=True)
        refusals = csp_refusals(page)
        addresses: list[str] = []
        page.on("request", lambda request: addresses.append(request.url))

        page.goto("/accounts/login/")
        page.get_by_label("E-mail address").fill("ada@acme.test")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()

        # At the IdP (another site): it shows the form that posts its answer back to us.
        page.wait_for_url(re.compile(r"^http://localhost:\d+/sso\?SAMLRequest="))
        page.get_by_role("button", name="Continue").click()

        expect(page).to_have_url(re.compile(r"/account/$"))
        expect(page.get_by_role("banner")).to_contain_text("Ada Lovelace")
        assert logged_in_user_ids() == {ada.pk}
        assert UserSession.objects.filter(user=ada, ended_at__isnull=True).count() == 1
        assert refusals == []
        # The one-time handoff went by cookie (set on the cross-site POST's answer, sent on the
        # same-site hop, then dropped), never in an address the logs would keep.
        assert any(address.endswith("/saml/complete/") for address in addresses)
        assert not [address for address in addresses if "handoff" in address]
        assert "pd_sso_handoff" not in {c["name"] for c in page.context.cookies()}
    finally:
        idp.stop()


def test_an_oidc_login_from_the_single_sign_on_page(page: Page, sso_site):
    provider = OidcProvider().start()
    try:
        grace = UserFactory(email="grace@acme.test", full_name="Grace Hopper")
        organisation = grace.organisation
        admin = UserFactory(organisation=organisation, role="client_admin")
        verify_domain(organisation, "acme.test")
        oidc_connection_for(organisation, provider, admin)
        provider.set_person("grace-sub", email="grace@acme.test", name="Grace Hopper")
        refusals = csp_refusals(page)

        page.goto("/accounts/login/")
        page.get_by_role("link", name="log in with single sign-on").click()
        page.get_by_label("Work e-mail address").fill("grace@acme.test")
        page.get_by_role("button", name="Continue").click()

        page.wait_for_url(re.compile(rf"^{re.escape(provider.issuer)}/oauth2/authorize\?"))
        page.locator("input[name=sub]").fill("grace-sub")
        page.get_by_role("button", name="Authorize").click()

        expect(page).to_have_url(re.compile(r"/account/$"))
        expect(page.get_by_role("banner")).to_contain_text("Grace Hopper")
        assert logged_in_user_ids() == {grace.pk}
        assert refusals == []
    finally:
        provider.stop()
