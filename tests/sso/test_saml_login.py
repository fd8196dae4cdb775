"""Logging in with SAML 2.0 against a real pysaml2 IdP on 127.0.0.1: what it really signed
is verified, and every way an answer can be wrong is refused."""

import base64
import html
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessFailureLog, AccessLog
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditEntry
from security.models import UserSession
from sso.models import SsoConnection
from tests.factories import UserFactory
from tests.sso.conftest import (
    NOT_VERIFIED,
    logged_in_as,
    reasons,
    refused,
    saml_login,
    saml_post,
    verify_domain,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(acme):
    return UserFactory(organisation=acme, email="ada@acme.test", full_name="Ada Lovelace")


# --- The way in -----------------------------------------------------------------------------


def test_a_member_logs_in_through_the_idp_as_with_a_password(
    client, saml_connection, saml_idp, ada
):
    response = saml_login(client, saml_idp, REMOTE_ADDR="198.51.100.20")

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert logged_in_as(client) == ada.pk
    # The IdP got a request signed with the key of the SP metadata it holds, and answered it.
    assert len(saml_idp.requests_seen) == 1
    # A login like any other: the session row, django-axes' access log (which the
    # suspicious-activity rules read), and the usage event.
    assert UserSession.objects.filter(user=ada, ended_at__isnull=True).count() == 1
    assert AccessLog.objects.filter(username="ada@acme.test", ip_address="198.51.100.20").exists()
    assert client.get("/account/").status_code == 200


def test_an_assertion_encrypted_to_our_certificate_is_read(client, saml_connection, saml_idp, ada):
    saml_idp.encrypt_assertion = True
    start = client.get("/accounts/sso/acme/")
    action, fields = saml_idp.login_page(start["Location"])
    assert b"EncryptedAssertion" in base64.b64decode(fields["SAMLResponse"])

    saml_post(client, action, fields)

    assert logged_in_as(client) == ada.pk


def test_the_login_returns_to_the_page_it_was_started_from(client, saml_connection, saml_idp, ada):
    response = saml_login(client, saml_idp, start_query="?next=/account/security/")

    assert response["Location"] == "/account/security/"


def test_a_client_admin_still_passes_our_second_step(client, saml_connection, saml_idp, acme_admin):
    saml_idp.person = {"email": "alice@acme.test", "name": "Alice Admin"}

    response = saml_login(client, saml_idp)

    assert logged_in_as(client) == acme_admin.pk
    landing = client.get(response["Location"])
    assert landing.status_code == 302
    assert landing["Location"].startswith("/accounts/mfa/enrol/")


def test_our_metadata_gives_the_idp_our_entity_id_acs_and_certificate(client, saml_connection):
    response = client.get("/accounts/sso/acme/saml/metadata/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    xml = response.content.decode()
    assert 'entityID="http://127.0.0.1:8000/accounts/sso/acme/saml/metadata/"' in xml
    assert 'Location="http://127.0.0.1:8000/accounts/sso/acme/saml/acs/"' in xml
    assert "X509Certificate" in xml
    assert 'AuthnRequestsSigned="true"' in xml


def test_an_organisation_without_a_saml_connection_has_no_metadata_and_no_way_in(client, acme):
    assert client.get("/accounts/sso/acme/saml/metadata/").status_code == 404
    assert client.get("/accounts/sso/acme/").status_code == 404
    assert client.get("/accounts/sso/nobody/").status_code == 404


def test_a_connection_turned_off_lets_nobody_in(client, saml_connection, saml_idp, ada):
    SsoConnection.objects.filter(pk=saml_connection.pk).update(enabled=False)

    assert client.get("/accounts/sso/acme/").status_code == 404


# --- Answers that are refused ---------------------------------------------------------------


def test_an_answer_signed_with_a_key_the_metadata_does_not_publish_is_refused(
    client, saml_connection, saml_idp, ada, caplog
):
    saml_idp.sign_with = "rogue"

    response = saml_login(client, saml_idp)

    assert NOT_VERIFIED in refused(response)
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["signature"]


def test_an_answer_changed_after_it_was_signed_is_refused(
    client, saml_connection, saml_idp, acme, caplog
):
    mallory = UserFactory(organisation=acme, email="mallory@acme.test")
    start = client.get("/accounts/sso/acme/")
    action, fields = saml_idp.login_page(start["Location"])
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    fields["SAMLResponse"] = base64.b64encode(
        xml.replace("ada@acme.test", "mallory@acme.test").encode()
    ).decode()

    response = saml_post(client, action, fields)

    assert NOT_VERIFIED in refused(response)
    assert logged_in_as(client) is None
    assert not AccessLog.objects.filter(username=mallory.email).exists()
    assert reasons(caplog) == ["signature"]


def test_an_unsigned_answer_is_refused(client, saml_connection, saml_idp, ada, caplog):
    saml_idp.sign_response = saml_idp.sign_assertion = False

    assert NOT_VERIFIED in refused(saml_login(client, saml_idp))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["signature"]


def test_an_answer_signed_only_on_the_response_is_accepted(client, saml_connection, saml_idp, ada):
    # Entra ID can sign the response alone: the signature covers the assertion within it.
    saml_idp.sign_assertion = False

    saml_login(client, saml_idp)

    assert logged_in_as(client) == ada.pk


def test_an_answer_for_another_service_provider_is_refused(
    client, saml_connection, saml_idp, ada, caplog
):
    saml_idp.audience = "https://another-service.example/saml/metadata/"

    assert NOT_VERIFIED in refused(saml_login(client, saml_idp))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["audience"]


def test_an_expired_answer_is_refused(client, saml_connection, saml_idp, ada, caplog):
    start = client.get("/accounts/sso/acme/")
    action, fields = saml_idp.login_page(start["Location"])

    # The IdP's assertions last five minutes; our clock allows two minutes' skew.
    with time_machine.travel(timezone.now() + timedelta(minutes=8)):
        response = saml_post(client, action, fields)

    assert NOT_VERIFIED in refused(response)
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["expired"]


def test_a_replayed_answer_is_refused(client, saml_connection, saml_idp, ada, caplog):
    start = client.get("/accounts/sso/acme/")
    action, fields = saml_idp.login_page(start["Location"])
    assert saml_post(client, action, fields).status_code == 302
    client.post("/accounts/logout/")

    # The same answer again, from this browser or from an attacker's who captured it.
    for browser in (client, Client()):
        assert NOT_VERIFIED in refused(saml_post(browser, action, fields))
        assert logged_in_as(browser) is None
    assert reasons(caplog) == ["replay", "replay"]


def test_a_replayed_idp_initiated_answer_is_refused(client, saml_connection, saml_idp, ada, caplog):
    SsoConnection.objects.filter(pk=saml_connection.pk).update(allow_idp_initiated=True)
    action, fields = saml_idp.initiate()
    assert saml_post(Client(), action, fields).status_code == 302

    assert NOT_VERIFIED in refused(saml_post(client, action, fields))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["replay"]


def test_an_answer_to_a_login_started_in_another_browser_does_not_log_this_one_in(
    saml_connection, saml_idp, ada, caplog
):
    victim, attacker = Client(), Client()
    start = attacker.get("/accounts/sso/acme/")
    action, fields = saml_idp.login_page(start["Location"])

    # Login CSRF: the attacker's own answer, posted from the victim's browser.
    assert NOT_VERIFIED in refused(saml_post(victim, action, fields))
    assert logged_in_as(victim) is None
    assert reasons(caplog) == ["other_browser"]


def test_an_answer_to_a_request_we_never_sent_is_refused(
    client, saml_connection, saml_idp, ada, caplog
):
    other = Client()
    start = other.get("/accounts/sso/acme/")
    action, fields = saml_idp.login_page(start["Location"])
    assert saml_post(other, action, fields).status_code == 302

    # A second answer to the same, already answered request.
    saml_idp.person = {"email": "ada@acme.test", "name": "Ada"}
    _, again = saml_idp.login_page(start["Location"])
    assert NOT_VERIFIED in refused(saml_post(client, action, again))
    assert reasons(caplog) == ["unsolicited"]


def test_an_idp_initiated_login_is_refused_unless_the_connection_allows_it(
    client, saml_connection, saml_idp, ada, caplog
):
    action, fields = saml_idp.initiate()
    assert NOT_VERIFIED in refused(saml_post(client, action, fields))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["idp_initiated"]

    SsoConnection.objects.filter(pk=saml_connection.pk).update(allow_idp_initiated=True)
    action, fields = saml_idp.initiate()
    response = saml_post(client, action, fields)

    assert response["Location"] == "/account/"
    assert logged_in_as(client) == ada.pk


def test_garbage_posted_to_the_acs_is_refused_with_a_page_not_an_error(client, saml_connection):
    for value in ("not base64 at all", base64.b64encode(b"<not-saml/>").decode(), ""):
        response = client.post("/accounts/sso/acme/saml/acs/", {"SAMLResponse": value})
        assert response.status_code in (400, 403)


# --- Whom the IdP may vouch for ---------------------------------------------------------------


def test_an_address_outside_the_verified_domains_is_refused(
    client, saml_connection, saml_idp, acme
):
    # Claimed but not verified, and not claimed at all.
    UserFactory(organisation=acme, email="ada@acme-labs.test")
    saml_connection.organisation.domain_claims.create(domain="acme-labs.test")
    for email in ("ada@acme-labs.test", "someone@gmail.test"):
        saml_idp.person = {"email": email, "name": "Ada"}
        body = refused(saml_login(client, saml_idp))
        assert "outside your organisation's verified domains" in body
        assert logged_in_as(client) is None


def test_another_organisations_account_is_refused_even_in_a_verified_domain(
    client, saml_connection, saml_idp, acme
):
    # A verified domain of acme's whose address another client's account uses.
    verify_domain(acme, "shared.test")
    UserFactory(email="bob@shared.test")  # another organisation's member
    saml_idp.person = {"email": "bob@shared.test", "name": "Bob"}

    refused(saml_login(client, saml_idp))

    assert logged_in_as(client) is None


@pytest.mark.parametrize("status", [User.Status.SUSPENDED, User.Status.TERMINATED])
def test_a_suspended_or_terminated_account_is_refused_whatever_the_idp_says(
    client, saml_connection, saml_idp, ada, status
):
    User.objects.filter(pk=ada.pk).update(status=status)

    body = refused(saml_login(client, saml_idp, REMOTE_ADDR="198.51.100.21"))

    assert "suspended or closed" in body
    assert logged_in_as(client) is None
    # A failed login of that address, as a wrong password would be.
    assert AccessFailureLog.objects.filter(
        username="ada@acme.test", ip_address="198.51.100.21"
    ).exists()


def test_an_unknown_address_is_refused_when_accounts_are_not_made_at_first_login(
    client, saml_connection, saml_idp
):
    saml_idp.person = {"email": "new.person@acme.test", "name": "New Person"}

    assert "no PrivacyDesk account yet" in refused(saml_login(client, saml_idp))
    assert not User.objects.filter(email="new.person@acme.test").exists()


def test_a_first_login_makes_a_member_when_the_connection_allows_it(
    client, saml_connection, saml_idp
):
    SsoConnection.objects.filter(pk=saml_connection.pk).update(jit_enabled=True)
    saml_idp.person = {"email": "New.Person@ACME.test", "name": "New Person"}

    response = saml_login(client, saml_idp)

    user = User.objects.get(email="new.person@acme.test")
    assert (user.full_name, user.role, user.status) == ("New Person", Role.MEMBER, "active")
    assert user.organisation == saml_connection.organisation
    assert not user.has_usable_password()
    assert response["Location"] == "/account/"
    assert logged_in_as(client) == user.pk
    assert AuditEntry.objects.filter(action="user.create_sso", target_id=str(user.pk)).exists()


def test_a_role_attribute_can_make_a_first_login_a_client_admin(client, saml_connection, saml_idp):
    SsoConnection.objects.filter(pk=saml_connection.pk).update(
        jit_enabled=True, role_attribute="groups", admin_role_value="privacydesk-admins"
    )
    saml_idp.person = {
        "email": "boss@acme.test",
        "name": "The Boss",
        "roles": ["staff", "privacydesk-admins"],
    }

    saml_login(client, saml_idp)

    assert User.objects.get(email="boss@acme.test").role == Role.CLIENT_ADMIN


def test_an_invited_member_is_activated_by_their_first_login(
    client, saml_connection, saml_idp, acme
):
    invited = UserFactory(organisation=acme, email="ada@acme.test", status=User.Status.INVITED)

    saml_login(client, saml_idp)

    invited.refresh_from_db()
    assert invited.status == User.Status.ACTIVE
    assert logged_in_as(client) == invited.pk
    assert AuditEntry.objects.filter(action="invitation.accept_sso").exists()


def test_metadata_that_no_longer_loads_is_a_page_not_an_error(client, saml_connection):
    SsoConnection.objects.filter(pk=saml_connection.pk).update(idp_metadata_xml="<broken")

    response = client.get("/accounts/sso/acme/")

    assert response.status_code == 403
    assert "not available for your organisation" in html.unescape(response.content.decode())
