"""Logging in with OpenID Connect against a real provider on 127.0.0.1 (oidc-provider-mock):
PKCE, state and nonce checked, the ID token's signature verified against the issuer's keys,
and every way an answer can be wrong refused."""

import html
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.test import Client

from accounts.models import Role, User
from audit.models import AuditEntry
from security.models import UserSession
from sso.models import SsoConnection
from sso.services.oidc_logins import SESSION_STATES
from tests.factories import UserFactory
from tests.sso.conftest import NOT_VERIFIED, logged_in_as, oidc_login, path_of, reasons, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(acme, oidc_provider):
    oidc_provider.set_person("ada-sub", email="ada@acme.test", name="Ada Lovelace")
    return UserFactory(organisation=acme, email="ada@acme.test")


def test_a_member_logs_in_through_the_provider(client, oidc_connection, oidc_provider, ada):
    start = client.get("/accounts/sso/acme/?next=/account/security/")
    query = parse_qs(urlsplit(start["Location"]).query)
    # The authorization request: our client, the code flow with PKCE S256, a state and a nonce.
    assert start["Location"].startswith(f"{oidc_provider.issuer}/oauth2/authorize?")
    assert query["client_id"] == ["privacydesk-acme"]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/accounts/sso/acme/oidc/callback/"]
    assert query["state"][0] and query["nonce"][0]

    callback = oidc_provider.log_in(start["Location"], "ada-sub")
    response = client.get(path_of(callback), REMOTE_ADDR="198.51.100.30")

    assert response.status_code == 302
    assert response["Location"] == "/account/security/"
    assert logged_in_as(client) == ada.pk
    # The provider checked our PKCE verifier against the challenge (it refuses otherwise), and
    # saw the client secret we keep encrypted.
    (token_request,) = oidc_provider.token_requests
    assert token_request["code_verifier"]
    assert UserSession.objects.filter(user=ada, ended_at__isnull=True).count() == 1


def test_the_code_is_exchanged_with_the_verifier_of_its_own_challenge(
    client, oidc_connection, oidc_provider, ada, caplog
):
    start = client.get("/accounts/sso/acme/")
    callback = oidc_provider.log_in(start["Location"], "ada-sub")
    # Someone who holds the code but not the verifier (the session's) gets nothing for it.
    session = client.session
    for state in session[SESSION_STATES].values():
        state["code_verifier"] = "x" * 64
    session.save()

    assert NOT_VERIFIED in refused(client.get(path_of(callback)))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["token_request"]


def test_an_id_token_for_another_client_is_refused(
    client, oidc_connection, oidc_provider, ada, caplog
):
    oidc_provider.tamper = lambda claims: {**claims, "aud": "another-client"}

    assert NOT_VERIFIED in refused(oidc_login(client, oidc_provider, "ada-sub"))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["audience"]


def test_an_id_token_for_several_clients_must_name_us_as_its_authorized_party(
    client, oidc_connection, oidc_provider, ada, caplog
):
    oidc_provider.tamper = lambda claims: {
        **claims,
        "aud": ["privacydesk-acme", "another-client"],
        "azp": "another-client",
    }

    refused(oidc_login(client, oidc_provider, "ada-sub"))
    assert reasons(caplog) == ["audience"]


def test_an_expired_id_token_is_refused(client, oidc_connection, oidc_provider, ada, caplog):
    oidc_provider.tamper = lambda claims: {
        **claims,
        "iat": int(time.time()) - 3600,
        "exp": int(time.time()) - 600,
    }

    assert NOT_VERIFIED in refused(oidc_login(client, oidc_provider, "ada-sub"))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["expired"]


def test_an_id_token_from_another_issuer_is_refused(
    client, oidc_connection, oidc_provider, ada, caplog
):
    oidc_provider.tamper = lambda claims: {**claims, "iss": "https://login.evil.example"}

    refused(oidc_login(client, oidc_provider, "ada-sub"))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["invalid"]


def test_an_id_token_signed_with_a_key_the_issuer_never_published_is_refused(
    client, oidc_connection, oidc_provider, ada, caplog
):
    oidc_provider.sign_with_foreign_key = True

    assert NOT_VERIFIED in refused(oidc_login(client, oidc_provider, "ada-sub"))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["signature"]


def test_a_changed_id_token_is_refused(client, oidc_connection, oidc_provider, acme, caplog):
    oidc_provider.set_person("ada-sub", email="ada@acme.test", name="Ada")
    UserFactory(organisation=acme, email="mallory@acme.test")
    original = oidc_provider._resign

    def swap_the_address(id_token: str) -> str:
        header, payload, signature = id_token.split(".")
        import base64
        import json

        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["email"] = "mallory@acme.test"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{forged}.{signature}"

    oidc_provider._resign = lambda id_token: swap_the_address(original(id_token))
    oidc_provider.tamper = lambda claims: claims

    refused(oidc_login(client, oidc_provider, "ada-sub"))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["signature"]


def test_a_callback_used_twice_is_refused(client, oidc_connection, oidc_provider, ada, caplog):
    start = client.get("/accounts/sso/acme/")
    callback = oidc_provider.log_in(start["Location"], "ada-sub")
    assert client.get(path_of(callback)).status_code == 302
    client.post("/accounts/logout/")

    for browser in (client, Client()):
        refused(browser.get(path_of(callback)))
        assert logged_in_as(browser) is None
    assert reasons(caplog) == ["state", "state"]


def test_a_replayed_nonce_is_refused(client, oidc_connection, oidc_provider, ada, caplog):
    first = client.get("/accounts/sso/acme/")
    old_nonce = parse_qs(urlsplit(first["Location"]).query)["nonce"][0]
    oidc_login_done = client.get(path_of(oidc_provider.log_in(first["Location"], "ada-sub")))
    assert oidc_login_done.status_code == 302
    client.post("/accounts/logout/")

    # A login whose state carries a nonce already used (an authorization response captured and
    # replayed into a session made for it): the ID token's nonce matches, and is refused.
    second = client.get("/accounts/sso/acme/")
    session = client.session
    for state in session[SESSION_STATES].values():
        state["nonce"] = old_nonce
    session.save()
    location = second["Location"].replace(
        parse_qs(urlsplit(second["Location"]).query)["nonce"][0], old_nonce
    )

    assert NOT_VERIFIED in refused(client.get(path_of(oidc_provider.log_in(location, "ada-sub"))))
    assert logged_in_as(client) is None
    assert reasons(caplog) == ["replay"]


def test_a_callback_for_a_login_this_browser_never_started_is_refused(
    oidc_connection, oidc_provider, ada, caplog
):
    attacker, victim = Client(), Client()
    start = attacker.get("/accounts/sso/acme/")
    callback = oidc_provider.log_in(start["Location"], "ada-sub")

    refused(victim.get(path_of(callback)))
    assert logged_in_as(victim) is None
    assert reasons(caplog) == ["state"]


def test_a_refusal_at_the_provider_is_shown(client, oidc_connection, oidc_provider, ada):
    start = client.get("/accounts/sso/acme/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = client.get(f"/accounts/sso/acme/oidc/callback/?state={state}&error=access_denied")

    assert "did not log you in" in refused(response)


@pytest.mark.parametrize("email_verified", [False, "false", "False"])
def test_an_address_the_provider_has_not_verified_is_refused(
    client, oidc_connection, oidc_provider, acme, email_verified
):
    oidc_provider.set_person("ada-sub", email="ada@acme.test", email_verified=email_verified)
    UserFactory(organisation=acme, email="ada@acme.test")

    assert "did not tell us your e-mail address" in refused(
        oidc_login(client, oidc_provider, "ada-sub")
    )


def test_an_address_outside_the_verified_domains_is_refused(
    client, oidc_connection, oidc_provider, acme
):
    oidc_provider.set_person("eve-sub", email="eve@elsewhere.test")
    UserFactory(email="eve@elsewhere.test")

    assert "verified domains" in refused(oidc_login(client, oidc_provider, "eve-sub"))
    assert logged_in_as(client) is None


def test_a_suspended_account_is_refused_whatever_the_provider_says(
    client, oidc_connection, oidc_provider, ada
):
    User.objects.filter(pk=ada.pk).update(status=User.Status.SUSPENDED)

    assert "suspended or closed" in refused(oidc_login(client, oidc_provider, "ada-sub"))
    assert logged_in_as(client) is None


def test_a_first_login_makes_a_client_admin_from_a_role_claim(
    client, oidc_connection, oidc_provider
):
    SsoConnection.objects.filter(pk=oidc_connection.pk).update(
        jit_enabled=True, role_attribute="groups", admin_role_value="pd-admins"
    )
    oidc_provider.set_person(
        "grace-sub", email="grace@acme.test", name="Grace Hopper", groups=["pd-admins"]
    )

    oidc_login(client, oidc_provider, "grace-sub")

    grace = User.objects.get(email="grace@acme.test")
    assert (grace.full_name, grace.role) == ("Grace Hopper", Role.CLIENT_ADMIN)
    assert logged_in_as(client) == grace.pk
    assert AuditEntry.objects.filter(action="user.create_sso").count() == 1


def test_a_first_login_without_the_role_claim_makes_a_member(
    client, oidc_connection, oidc_provider
):
    # An admin value that reads like a missing claim written out must not match its absence.
    SsoConnection.objects.filter(pk=oidc_connection.pk).update(
        jit_enabled=True, role_attribute="groups", admin_role_value="None"
    )
    oidc_provider.set_person("lin-sub", email="lin@acme.test", name="Lin Ko")

    oidc_login(client, oidc_provider, "lin-sub")

    assert User.objects.get(email="lin@acme.test").role == Role.MEMBER


def test_the_secret_is_stored_encrypted(oidc_connection):
    stored = SsoConnection.objects.get(pk=oidc_connection.pk).oidc_client_secret_encrypted
    assert stored and "a client secret from the IdP" not in stored


def test_an_issuer_that_does_not_answer_is_a_page_not_an_error(
    client, oidc_connection, oidc_provider, ada
):
    cache.clear()  # the discovery document fetched when the connection was saved
    oidc_provider.stop()

    response = client.get("/accounts/sso/acme/")

    assert response.status_code == 403
    assert "could not be reached" in html.unescape(response.content.decode())


def test_a_secret_the_keys_can_no_longer_read_is_a_page_not_an_error(
    client, oidc_connection, oidc_provider, ada, settings
):
    settings.WEBHOOK_SECRET_KEYS = [Fernet.generate_key().decode()]

    response = client.get("/accounts/sso/acme/")

    assert response.status_code == 403
    assert "not available for your organisation" in html.unescape(response.content.decode())
