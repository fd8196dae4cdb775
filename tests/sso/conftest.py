"""Fixtures of the single sign-on tests: a real SAML IdP and a real OpenID Connect provider on
127.0.0.1, and the organisation "acme" whose domain acme.test is verified."""

import html
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from sso.models import DomainClaim, SsoConnection
from sso.saml import sp_metadata
from sso.services.connections import sso_connection_save
from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory
from tests.sso.oidc_provider import OidcProvider
from tests.sso.saml_idp import SamlIdp


@pytest.fixture(autouse=True)
def _identity_providers_on_loopback(settings):
    # The IdPs of these tests answer on http://127.0.0.1; production insists on public https.
    settings.SSO_ALLOW_HTTP_LOOPBACK = True


@pytest.fixture
def saml_idp(tmp_path):
    idp = SamlIdp(tmp_path).start()
    yield idp
    idp.stop()


@pytest.fixture
def oidc_provider():
    provider = OidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def acme(db):
    return OrganisationFactory(name="Acme Ltd", slug="acme")


@pytest.fixture
def acme_admin(acme):
    return ClientAdminFactory(organisation=acme, email="alice@acme.test", full_name="Alice Admin")


@pytest.fixture
def dpo(db):
    return DpoFactory(email="dana@privacydesk.test")


def verify_domain(organisation, domain: str, by=None) -> DomainClaim:
    return DomainClaim.objects.create(
        organisation=organisation, domain=domain, verified_at=timezone.now(), verified_by=by
    )


@pytest.fixture
def acme_domain(acme, dpo):
    return verify_domain(acme, "acme.test", by=dpo)


def saml_connection_for(organisation, idp: SamlIdp, by, **settings) -> SsoConnection:
    """The connection a client admin sets up: the IdP's metadata by URL; the IdP is given our
    SP metadata in turn."""
    connection = sso_connection_save(
        organisation=organisation,
        by=by,
        protocol=SsoConnection.Protocol.SAML,
        enabled=True,
        idp_metadata_url=f"{idp.base}/metadata",
        **settings,
    )
    idp.sp_metadata = sp_metadata(organisation)
    return connection


@pytest.fixture
def saml_connection(acme, acme_admin, acme_domain, saml_idp):
    return saml_connection_for(acme, saml_idp, acme_admin)


def oidc_connection_for(organisation, provider: OidcProvider, by, **settings) -> SsoConnection:
    return sso_connection_save(
        organisation=organisation,
        by=by,
        protocol=SsoConnection.Protocol.OIDC,
        enabled=True,
        oidc_issuer=provider.issuer,
        oidc_client_id="privacydesk-acme",
        oidc_client_secret="a client secret from the IdP",
        **settings,
    )


@pytest.fixture
def oidc_connection(acme, acme_admin, acme_domain, oidc_provider):
    return oidc_connection_for(acme, oidc_provider, acme_admin)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def saml_login(client, idp: SamlIdp, *, slug: str = "acme", start_query: str = "", **extra):
    """A browser's SAML login: our start page, the IdP, the POST back to our ACS, and the
    completion step. Returns the last response."""
    start = client.get(f"/accounts/sso/{slug}/{start_query}", **extra)
    assert start.status_code == 302, start.content[:300]
    action, fields = idp.login_page(start["Location"])
    return saml_post(client, action, fields, **extra)


def saml_post(client, action: str, fields: dict, **extra):
    """POST the IdP's answer to our ACS, and follow it to the completion step."""
    acs = client.post(path_of(action), fields, **extra)
    if acs.status_code != 303:
        return acs
    return client.get(path_of(acs["Location"]), **extra)


def oidc_login(client, provider: OidcProvider, sub: str, *, slug: str = "acme", **extra):
    """A browser's OpenID Connect login: our start page, the provider's login, our callback."""
    start = client.get(f"/accounts/sso/{slug}/", **extra)
    assert start.status_code == 302, start.content[:300]
    callback = provider.log_in(start["Location"], sub)
    return client.get(path_of(callback), **extra)


NOT_VERIFIED = "Your identity provider could not be verified"


def logged_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value else None


def reasons(caplog) -> list[str]:
    """The reasons sso logged for refusing answers (the log says why; the person is told less)."""
    return [
        record.args[-1]
        for record in caplog.records
        if record.name.startswith("sso.") and "refused" in record.msg
    ]


def refused(response) -> str:
    """The refusal page's text, once it is one."""
    assert response.status_code in (400, 403), response.status_code
    return html.unescape(response.content.decode())
