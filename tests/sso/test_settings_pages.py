"""Setting single sign-on up: the client admin in the console (/console/sso/), staff for them
and verifying domains in the back office; every change audited, secrets never shown."""

import html
from pathlib import Path

import pytest
from django.test import Client

from audit.models import AuditEntry
from recipients.secrets import secret_decrypt
from sso.models import DomainClaim, SsoConnection
from sso.tasks import refresh_saml_metadata
from tests.factories import ClientAdminFactory, OrganisationFactory, SupportFactory, UserFactory
from tests.sso.conftest import verify_domain

pytestmark = pytest.mark.django_db

CONSOLE = "/console/sso/"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def console(verified_client, acme_admin):
    return verified_client(acme_admin)


@pytest.fixture
def backoffice(verified_client, dpo):
    return verified_client(dpo, client=Client())


def saml_form(idp, **changes) -> dict:
    return {
        "protocol": "saml",
        "enabled": "on",
        "idp_metadata_url": f"{idp.base}/metadata",
        **changes,
    }


# --- Who reaches it -------------------------------------------------------------------------


def test_only_a_verified_client_admin_reaches_the_console_page(verified_client, acme):
    assert verified_client(UserFactory(organisation=acme)).get(CONSOLE).status_code == 403
    assert Client().get(CONSOLE)["Location"].startswith("/accounts/login/")
    unverified = Client()
    unverified.force_login(ClientAdminFactory(organisation=acme))
    assert unverified.get(CONSOLE).status_code in (302, 403)


def test_the_console_page_shows_what_to_give_the_idp(console):
    body = text(console.get(CONSOLE))
    assert "http://127.0.0.1:8000/accounts/sso/acme/saml/metadata/" in body
    assert "http://127.0.0.1:8000/accounts/sso/acme/saml/acs/" in body
    assert "http://127.0.0.1:8000/accounts/sso/acme/oidc/callback/" in body
    assert "openid email profile" in body


# --- SAML -----------------------------------------------------------------------------------


def test_a_client_admin_sets_up_saml_from_the_idps_metadata_url(console, acme, saml_idp):
    response = console.post(CONSOLE, saml_form(saml_idp))

    assert response.status_code == 302
    connection = SsoConnection.objects.get(organisation=acme)
    assert connection.enabled and connection.is_saml
    assert connection.idp_entity_id == saml_idp.entity_id
    assert "X509Certificate" in connection.idp_metadata_xml
    entry = AuditEntry.objects.get(action="sso.connection_create")
    assert "idp_metadata_url" in entry.details["fields"]
    assert saml_idp.entity_id in text(console.get(CONSOLE))


@pytest.mark.parametrize(
    "xml, why",
    [
        ("this is not XML <", "not valid SAML metadata"),
        ("<html>hello</html>", "exactly one identity provider"),
    ],
)
def test_metadata_that_is_not_an_idps_is_refused_on_the_form(console, acme, xml, why):
    response = console.post(CONSOLE, {"protocol": "saml", "enabled": "on", "idp_metadata_xml": xml})

    assert response.status_code == 400
    assert why in text(response)
    assert not SsoConnection.objects.exists()


def test_pasted_metadata_xml_is_accepted(console, acme, saml_idp):
    response = console.post(
        CONSOLE, {"protocol": "saml", "enabled": "on", "idp_metadata_xml": saml_idp.metadata_xml()}
    )

    assert response.status_code == 302
    assert SsoConnection.objects.get(organisation=acme).idp_entity_id == saml_idp.entity_id


@pytest.mark.parametrize(
    "url, why",
    [
        ("http://idp.example/metadata", "must start with https://"),
        ("https://10.1.2.3/metadata", "must be on the public internet"),
        ("https://localhost/metadata", "must be on the public internet"),
    ],
)
def test_an_idp_address_inside_our_network_or_without_https_is_refused(console, settings, url, why):
    settings.SSO_ALLOW_HTTP_LOOPBACK = False
    response = console.post(CONSOLE, {"protocol": "saml", "idp_metadata_url": url})

    assert response.status_code == 400
    assert why in text(response)


# --- OpenID Connect -------------------------------------------------------------------------


def test_a_client_admin_sets_up_openid_connect_and_the_secret_is_kept_encrypted(
    console, acme, oidc_provider
):
    form = {
        "protocol": "oidc",
        "enabled": "on",
        "oidc_issuer": oidc_provider.issuer,
        "oidc_client_id": "privacydesk",
        "oidc_client_secret": "s3cret-from-the-idp",
    }
    assert console.post(CONSOLE, form).status_code == 302

    connection = SsoConnection.objects.get(organisation=acme)
    assert "s3cret-from-the-idp" not in connection.oidc_client_secret_encrypted
    assert secret_decrypt(connection.oidc_client_secret_encrypted) == "s3cret-from-the-idp"
    page = text(console.get(CONSOLE))
    assert "s3cret-from-the-idp" not in page
    assert "A client secret is stored (encrypted)" in page
    entry = AuditEntry.objects.get(action="sso.connection_create")
    assert "oidc_client_secret" in entry.details["fields"]
    assert "s3cret" not in str(entry.details)

    # Saving again without typing the secret keeps it.
    assert (
        console.post(CONSOLE, {**form, "oidc_client_secret": "", "jit_enabled": "on"}).status_code
        == 302
    )
    connection.refresh_from_db()
    assert secret_decrypt(connection.oidc_client_secret_encrypted) == "s3cret-from-the-idp"
    assert AuditEntry.objects.get(action="sso.connection_update").details["fields"] == [
        "jit_enabled"
    ]


def test_an_issuer_without_a_discovery_document_is_refused(console, saml_idp):
    response = console.post(
        CONSOLE,
        {
            "protocol": "oidc",
            "enabled": "on",
            "oidc_issuer": saml_idp.base,  # answers 404 at /.well-known/openid-configuration
            "oidc_client_id": "x",
            "oidc_client_secret": "y",
        },
    )

    assert response.status_code == 400
    assert "No OpenID Connect discovery document" in text(response)


# --- Policy ---------------------------------------------------------------------------------


def test_sso_can_be_required_only_once_a_domain_is_verified(console, acme, saml_idp, dpo):
    response = console.post(CONSOLE, saml_form(saml_idp, sso_required="on"))
    assert response.status_code == 400
    assert "once one of your domains is verified" in text(response)

    verify_domain(acme, "acme.test", by=dpo)
    assert console.post(CONSOLE, saml_form(saml_idp, sso_required="on")).status_code == 302
    assert SsoConnection.objects.get(organisation=acme).sso_required


def test_the_break_glass_admin_is_one_of_the_organisations_active_client_admins(
    console, acme, acme_admin, saml_idp
):
    stranger = ClientAdminFactory(organisation=OrganisationFactory())
    member = UserFactory(organisation=acme)

    for candidate in (stranger, member):
        response = console.post(CONSOLE, saml_form(saml_idp, break_glass_admin=candidate.pk))
        assert response.status_code == 400
    assert (
        console.post(CONSOLE, saml_form(saml_idp, break_glass_admin=acme_admin.pk)).status_code
        == 302
    )
    assert SsoConnection.objects.get(organisation=acme).break_glass_admin == acme_admin


# --- Domains --------------------------------------------------------------------------------


def test_a_claimed_domain_waits_for_staff_and_staff_verify_it(console, backoffice, acme):
    response = console.post(f"{CONSOLE}domains/", {"claim-domain": "@Acme.TEST."})
    assert response.status_code == 302
    claim = DomainClaim.objects.get(organisation=acme)
    assert (claim.domain, claim.verified_at) == ("acme.test", None)
    assert "Awaiting verification" in text(console.get(CONSOLE))
    # The console offers no way to verify it.
    assert "/verify/" not in text(console.get(CONSOLE))

    page = f"/backoffice/organisations/{acme.pk}/sso/"
    assert "acme.test" in text(backoffice.get(page))
    assert backoffice.post(f"{page}domains/{claim.pk}/verify/").status_code == 302
    claim.refresh_from_db()
    assert claim.verified_at is not None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"sso.domain_claim", "sso.domain_verify", "sso.view"} <= actions


def test_a_domain_is_verified_for_one_organisation_only(backoffice, acme, dpo):
    verify_domain(acme, "acme.test", by=dpo)
    rival = OrganisationFactory(name="Rival Ltd")
    claim = DomainClaim.objects.create(organisation=rival, domain="acme.test")

    response = backoffice.post(
        f"/backoffice/organisations/{rival.pk}/sso/domains/{claim.pk}/verify/", follow=True
    )

    assert "already verified for another organisation" in text(response)
    claim.refresh_from_db()
    assert claim.verified_at is None


def test_claiming_a_domain_another_organisation_has_verified_is_refused(console, dpo):
    verify_domain(OrganisationFactory(name="Rival Ltd"), "rival.test", by=dpo)

    response = console.post(f"{CONSOLE}domains/", {"claim-domain": "rival.test"})

    assert response.status_code == 400
    assert "already verified for another organisation" in text(response)


def test_support_verifies_too_but_a_client_admin_cannot_reach_the_back_office_page(
    verified_client, console, acme
):
    claim = DomainClaim.objects.create(organisation=acme, domain="acme.test")
    page = f"/backoffice/organisations/{acme.pk}/sso/domains/{claim.pk}/verify/"

    assert console.post(page).status_code == 403
    assert verified_client(SupportFactory()).post(page).status_code == 302
    claim.refresh_from_db()
    assert claim.is_verified


def test_another_organisations_claim_answers_404(console, dpo):
    theirs = DomainClaim.objects.create(
        organisation=OrganisationFactory(name="Other Ltd"), domain="other.test"
    )

    assert console.post(f"{CONSOLE}domains/{theirs.pk}/remove/").status_code == 404
    assert DomainClaim.objects.filter(pk=theirs.pk).exists()


def test_the_last_verified_domain_stays_while_sso_is_required(
    console, saml_connection, acme_domain
):
    SsoConnection.objects.filter(pk=saml_connection.pk).update(sso_required=True)

    response = console.post(f"{CONSOLE}domains/{acme_domain.pk}/remove/", follow=True)

    assert "stop requiring it first" in text(response)
    assert DomainClaim.objects.filter(pk=acme_domain.pk).exists()


# --- Staff and the organisation page ----------------------------------------------------------


def test_staff_set_up_single_sign_on_for_a_client(backoffice, acme, saml_idp, dpo):
    page = f"/backoffice/organisations/{acme.pk}/sso/"
    assert backoffice.post(page, saml_form(saml_idp)).status_code == 302

    entry = AuditEntry.objects.get(action="sso.connection_create")
    assert entry.actor_id == dpo.pk
    detail = text(backoffice.get(f"/backoffice/organisations/{acme.pk}/"))
    assert "SAML 2.0, on" in detail
    assert page in detail


# --- Certificate rollover -------------------------------------------------------------------


def test_the_nightly_refresh_picks_up_new_idp_metadata(saml_connection, saml_idp, tmp_path):
    assert refresh_saml_metadata() == 0

    # The IdP rolls its signing certificate over, and publishes it in its metadata.
    saml_idp.key, saml_idp.cert = saml_idp.rogue_key, saml_idp.rogue_cert

    assert refresh_saml_metadata() == 1
    saml_connection.refresh_from_db()
    rogue_cert = "".join(Path(saml_idp.rogue_cert).read_text().splitlines()[1:-1])
    assert rogue_cert in "".join(saml_connection.idp_metadata_xml.split())
    assert AuditEntry.objects.filter(action="sso.metadata_refresh").count() == 1


def test_an_idp_that_does_not_answer_is_skipped_by_the_nightly_refresh(saml_connection, saml_idp):
    saml_idp.stop()

    assert refresh_saml_metadata() == 0
    saml_connection.refresh_from_db()
    assert saml_connection.idp_entity_id == saml_idp.entity_id
