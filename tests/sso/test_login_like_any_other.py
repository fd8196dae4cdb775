"""A single sign-on login is a login like any other: the usage events, the suspicious-activity
rules, the sessions and the new-device notice all apply, and a rule that holds the account
ends the login at once."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import User
from security.models import Investigation, UserSession
from tests.factories import UserFactory
from tests.sso.conftest import saml_login
from usage.buffer import buffer_drain
from usage.models import Action, UsageEvent

pytestmark = pytest.mark.django_db

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_logins_and_refusals_are_usage_events(saml_connection, saml_idp, acme):
    ada = UserFactory(organisation=acme, email="ada@acme.test")
    saml_login(Client(), saml_idp)
    User.objects.filter(pk=ada.pk).update(status=User.Status.SUSPENDED)
    saml_login(Client(), saml_idp)

    buffer_drain()
    actions = list(UsageEvent.objects.filter(user=ada).values_list("action", flat=True))
    assert Action.LOGIN in actions
    assert Action.LOGIN_FAILED in actions


def test_a_privileged_login_from_a_new_place_opens_an_investigation_and_a_notice(
    saml_connection, saml_idp, acme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    saml_idp.person = {"email": acme_admin.email, "name": "Alice Admin"}
    saml_login(Client(), saml_idp, REMOTE_ADDR="198.51.100.40", HTTP_USER_AGENT=CHROME)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        saml_login(Client(), saml_idp, REMOTE_ADDR="203.0.113.41", HTTP_USER_AGENT=FIREFOX)

    investigation = Investigation.objects.get(user=acme_admin)
    assert investigation.rule == "privileged_new_ip"
    assert investigation.ip_address == "203.0.113.41"
    assert "A new login to your PrivacyDesk account" in [m.subject for m in mailoutbox]
    assert UserSession.objects.filter(user=acme_admin, ended_at__isnull=True).count() == 2


def test_a_rule_that_holds_the_account_ends_the_sso_login_at_once(saml_connection, saml_idp, acme):
    ada = UserFactory(organisation=acme, email="ada@acme.test")
    # Logins from four places within the hour: "many_ips_in_hour" suspends at the fourth.
    for n in range(3):
        saml_login(Client(), saml_idp, REMOTE_ADDR=f"198.51.100.{50 + n}")

    browser = Client()
    response = saml_login(browser, saml_idp, REMOTE_ADDR="198.51.100.60")

    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in browser.session
    ada.refresh_from_db()
    assert ada.status == User.Status.SUSPENDED
    assert Investigation.objects.get(user=ada).rule == "many_ips_in_hour"
    # And the IdP cannot log a held account in again.
    again = saml_login(Client(), saml_idp, REMOTE_ADDR="198.51.100.60")
    assert again.status_code == 403
