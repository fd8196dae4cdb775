"""The way in is decided by the e-mail address's verified domain: the login page sends an SSO
organisation's people to its IdP (always, when it requires single sign-on), passwords and
password resets are refused to them, and one break-glass client admin keeps a password."""

import html
import re

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.email_links import invitation_token
from accounts.models import User
from accounts.services.invitations import user_invite
from sso.models import SsoConnection
from tests.factories import TEST_PASSWORD, ClientAdminFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD_LOGIN = "/accounts/login/password/"
RESET = "/accounts/password/reset/"
REFUSED = "That e-mail address and password do not match an active account."


def text(response) -> str:
    return html.unescape(response.content.decode())


def continues_to(response) -> str:
    """Where a page that moves on by itself (meta refresh) sends the browser; the login form
    cannot redirect to another site under the site's CSP (form-action 'self')."""
    assert response.status_code == 200
    match = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', text(response))
    assert match, "the page does not move on"
    return match[1]


def without_csrf_tokens(response) -> str:
    page = response.content.decode()
    page = re.sub(r'"csrfToken": "[^"]+"', "CSRF", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)


def require_sso(connection, **changes):
    SsoConnection.objects.filter(pk=connection.pk).update(sso_required=True, **changes)


@pytest.fixture
def ada(acme):
    return UserFactory(organisation=acme, email="ada@acme.test")


# --- The login page -------------------------------------------------------------------------


def test_an_address_in_an_sso_required_domain_goes_to_the_idp_and_no_password_is_checked(
    client, saml_connection, ada
):
    require_sso(saml_connection)

    for email in ("ada@acme.test", "ADA@Acme.Test", "nobody-here@acme.test"):
        response = client.post(
            LOGIN, {"username": email, "password": TEST_PASSWORD, "next": "/account/security/"}
        )
        # The same answer whether or not the address has an account: the domain decides.
        assert continues_to(response) == "/accounts/sso/acme/?next=%2Faccount%2Fsecurity%2F"
    assert SESSION_KEY not in client.session
    assert not AccessFailureLog.objects.exists()


def test_without_sso_required_an_empty_password_goes_to_the_idp_and_a_password_still_works(
    client, oidc_connection, ada
):
    response = client.post(LOGIN, {"username": "ada@acme.test", "password": ""})
    assert continues_to(response) == "/accounts/sso/acme/"

    response = client.post(LOGIN, {"username": "ada@acme.test", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == ada.pk


def test_an_unverified_or_unknown_domain_logs_in_with_a_password_as_before(
    client, saml_connection, acme
):
    acme.domain_claims.create(domain="acme-labs.test")  # claimed, never verified
    member = UserFactory(organisation=acme, email="bob@acme-labs.test")

    empty = client.post(LOGIN, {"username": "bob@acme-labs.test", "password": ""})
    assert empty.status_code == 200
    assert "This field is required" in text(empty)
    assert (
        client.post(LOGIN, {"username": member.email, "password": TEST_PASSWORD})["Location"]
        == "/account/"
    )


def test_a_connection_turned_off_routes_nobody(client, saml_connection, ada):
    require_sso(saml_connection, enabled=False)

    response = client.post(LOGIN, {"username": "ada@acme.test", "password": TEST_PASSWORD})

    assert response["Location"] == "/account/"


def test_the_login_page_offers_single_sign_on(client):
    body = text(client.get(LOGIN))
    assert "leave the password empty" in body
    assert 'href="/accounts/sso/"' in body


# --- Passwords in an organisation that requires single sign-on -------------------------------


def test_a_member_cannot_log_in_with_a_password_even_on_the_password_page(
    client, saml_connection, ada
):
    require_sso(saml_connection)

    # The password page never routes to the IdP; the password is refused with the answer a
    # wrong one gets.
    response = client.post(PASSWORD_LOGIN, {"username": ada.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert REFUSED in text(response)
    assert SESSION_KEY not in client.session


def test_the_break_glass_admin_logs_in_with_a_password_then_two_step_login(
    client, saml_connection, acme_admin
):
    require_sso(saml_connection, break_glass_admin=acme_admin)

    # The usual page sends even them to the IdP: the domain decides there.
    usual = client.post(LOGIN, {"username": acme_admin.email, "password": TEST_PASSWORD})
    assert continues_to(usual) == "/accounts/sso/acme/"

    response = client.post(
        PASSWORD_LOGIN, {"username": acme_admin.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/enrol/")
    assert int(client.session[SESSION_KEY]) == acme_admin.pk


def test_a_break_glass_admin_who_is_no_longer_a_client_admin_loses_the_password(
    client, saml_connection, acme_admin
):
    require_sso(saml_connection, break_glass_admin=acme_admin)
    User.objects.filter(pk=acme_admin.pk).update(role="member")

    response = client.post(
        PASSWORD_LOGIN, {"username": acme_admin.email, "password": TEST_PASSWORD}
    )

    assert REFUSED in text(response)


def test_another_client_admin_cannot_use_the_break_glass_page(client, saml_connection, acme):
    other_admin = ClientAdminFactory(organisation=acme, email="carol@acme.test")
    require_sso(saml_connection)

    response = Client().post(
        PASSWORD_LOGIN, {"username": other_admin.email, "password": TEST_PASSWORD}
    )

    assert REFUSED in text(response)


def test_a_refused_password_counts_as_a_failure_and_answers_like_a_wrong_one(
    client, saml_connection, ada
):
    require_sso(saml_connection)

    right = client.post(PASSWORD_LOGIN, {"username": ada.email, "password": TEST_PASSWORD})
    wrong = client.post(PASSWORD_LOGIN, {"username": ada.email, "password": "not the password"})

    assert REFUSED in text(right) and REFUSED in text(wrong)
    assert AccessFailureLog.objects.filter(username=ada.email).count() == 2


def test_a_refused_password_gets_the_very_page_a_wrong_password_gets(client, saml_connection, ada):
    require_sso(saml_connection)

    right = client.post(PASSWORD_LOGIN, {"username": ada.email, "password": TEST_PASSWORD})
    wrong = client.post(PASSWORD_LOGIN, {"username": ada.email, "password": "not the password"})

    assert without_csrf_tokens(right) == without_csrf_tokens(wrong)


def test_the_break_glass_admin_and_a_contractor_stay_logged_in_after_their_password(
    client, saml_connection, acme, acme_admin
):
    """The check after every login lets through what the password backend let through."""
    require_sso(saml_connection, break_glass_admin=acme_admin)
    contractor = UserFactory(organisation=acme, email="contractor@freelance.test")

    for person in (acme_admin, contractor):
        browser = Client()
        browser.post(PASSWORD_LOGIN, {"username": person.email, "password": TEST_PASSWORD})
        assert int(browser.session[SESSION_KEY]) == person.pk


def test_accepting_an_invitation_does_not_log_in_with_a_password_where_sso_is_required(
    client, saml_connection, acme, acme_admin
):
    require_sso(saml_connection)
    invited = user_invite(
        organisation=acme, email="new.person@acme.test", full_name="New Person", by=acme_admin
    )
    token = invitation_token(invited.invitations.get(revoked_at=None))

    response = client.post(
        f"/accounts/invitation/{token}/",
        {"new_password1": "a long enough passphrase", "new_password2": "a long enough passphrase"},
        follow=True,
    )

    assert SESSION_KEY not in client.session
    assert "log in through it here" in text(response)
    invited.refresh_from_db()
    assert invited.status == User.Status.ACTIVE


# --- Password resets ------------------------------------------------------------------------


def test_a_reset_in_an_sso_required_domain_is_refused_with_a_clear_message(
    client, saml_connection, ada, mailoutbox, django_capture_on_commit_callbacks
):
    require_sso(saml_connection)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET, {"email": "ada@acme.test"}, follow=True)

    # On the page, by the domain (the same for an address with no account)...
    assert "logs in with single sign-on" in text(response)
    assert "are not reset" in text(response)
    unknown = Client().post(RESET, {"email": "nobody-here@acme.test"}, follow=True)
    assert "logs in with single sign-on" in text(unknown)
    # ...and by e-mail, to the account: the way in, never a reset link.
    (mail,) = mailoutbox
    assert mail.to == ["ada@acme.test"]
    assert "single sign-on" in mail.subject
    assert "http://127.0.0.1:8000/accounts/sso/acme/" in mail.body
    assert "/accounts/password/reset/" not in mail.body


def test_a_member_outside_the_verified_domains_keeps_a_password(
    client, saml_connection, acme, mailoutbox, django_capture_on_commit_callbacks
):
    """The IdP can log in only addresses of the verified domains: a contractor with their own
    address logs in with a password and gets reset links, SSO required or not."""
    require_sso(saml_connection)
    contractor = UserFactory(organisation=acme, email="contractor@freelance.test")

    assert (
        client.post(LOGIN, {"username": contractor.email, "password": TEST_PASSWORD})["Location"]
        == "/account/"
    )
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET, {"email": contractor.email}, follow=True)

    (mail,) = mailoutbox
    assert mail.to == [contractor.email]
    assert "/accounts/password/reset/" in mail.body
    assert "/accounts/sso/acme/" not in mail.body


def test_the_break_glass_admin_still_gets_a_reset_link(
    client, saml_connection, acme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    require_sso(saml_connection, break_glass_admin=acme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET, {"email": acme_admin.email})

    (mail,) = mailoutbox
    assert mail.subject == "Reset your PrivacyDesk password"
    assert "/accounts/password/reset/" in mail.body


# --- "Log in with single sign-on" ------------------------------------------------------------


def test_the_single_sign_on_page_finds_the_organisation_by_domain(client, saml_connection):
    response = client.post("/accounts/sso/", {"email": "anyone@acme.test", "next": "/account/"})
    assert continues_to(response) == "/accounts/sso/acme/?next=%2Faccount%2F"
    assert 'href="/accounts/sso/acme/?next=%2Faccount%2F"' in response.content.decode()

    unknown = client.post("/accounts/sso/", {"email": "anyone@elsewhere.test"})
    assert unknown.status_code == 400
    assert "not set up for that e-mail domain" in text(unknown)


def test_a_next_to_another_site_is_dropped(client, saml_connection):
    response = client.post(
        "/accounts/sso/", {"email": "anyone@acme.test", "next": "https://evil.example/"}
    )
    assert continues_to(response) == "/accounts/sso/acme/"


def test_a_password_login_reads_the_organisations_connection_once(client, saml_connection, acme):
    """The backend reads the person with their organisation's connection; the check after the
    login asks nothing again."""
    member = UserFactory(organisation=acme, email="bob@acme-labs.test")  # no verified domain

    with CaptureQueriesContext(connection) as captured:
        response = client.post(LOGIN, {"username": member.email, "password": TEST_PASSWORD})

    assert response["Location"] == "/account/"
    reads = [q["sql"] for q in captured.captured_queries if "sso_ssoconnection" in q["sql"]]
    assert len(reads) == 1
