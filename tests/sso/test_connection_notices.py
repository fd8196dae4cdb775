"""A change to an organisation's single sign-on is e-mailed to its active client admins: who
changed what, in words, never a value. A connection quietly pointed at another identity
provider would otherwise send every member's login there unnoticed."""

import pytest

from accounts.models import User
from sso.services.connections import sso_connection_save
from tests.factories import ClientAdminFactory, OrganisationFactory, UserFactory
from tests.sso.conftest import oidc_connection_for

pytestmark = pytest.mark.django_db

CONSOLE = "/console/sso/"
SECRET = "s3cret-from-the-idp"


@pytest.fixture
def console_post(verified_client, acme, acme_admin, django_capture_on_commit_callbacks):
    """Alice posts the SSO console's form and what the save sends on commit goes out. Bob,
    Acme's other client admin, is there to hear of it."""
    ClientAdminFactory(organisation=acme, email="bob@acme.test", full_name="Bob Admin")
    console = verified_client(acme_admin)

    def post(form: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return console.post(CONSOLE, form)

    return post


def oidc_form(provider, **changes) -> dict:
    return {
        "protocol": "oidc",
        "enabled": "on",
        "oidc_issuer": provider.issuer,
        "oidc_client_id": "privacydesk-client-4711",
        "oidc_client_secret": SECRET,
        **changes,
    }


def test_every_active_client_admin_hears_who_set_up_single_sign_on_and_nobody_else(
    console_post, acme, oidc_provider, mailoutbox
):
    ClientAdminFactory(organisation=acme, status=User.Status.SUSPENDED)
    member = UserFactory(organisation=acme)
    elsewhere = ClientAdminFactory(organisation=OrganisationFactory())

    response = console_post(oidc_form(oidc_provider))

    assert response.status_code == 302
    assert sorted(message.to[0] for message in mailoutbox) == [
        "alice@acme.test",
        "bob@acme.test",
    ]
    assert member.email not in str([m.to for m in mailoutbox])
    assert elsewhere.email not in str([m.to for m in mailoutbox])
    body = mailoutbox[0].body
    assert mailoutbox[0].subject == "Your organisation's single sign-on settings were changed"
    assert "Alice Admin set up single sign-on of Acme Ltd" in body
    for words in ("the OpenID Connect issuer", "the client ID", "the client secret"):
        assert f"- {words}\n" in body
    assert SECRET not in body
    assert "privacydesk-client-4711" not in body
    assert oidc_provider.issuer not in body


def test_a_change_names_only_what_changed_and_a_save_that_changes_nothing_sends_nothing(
    console_post, oidc_provider, mailoutbox
):
    assert console_post(oidc_form(oidc_provider)).status_code == 302
    mailoutbox.clear()

    # The secret left blank keeps the stored one: nothing changes.
    console_post(oidc_form(oidc_provider, oidc_client_secret=""))
    assert mailoutbox == []

    console_post(oidc_form(oidc_provider, oidc_client_secret="", jit_enabled="on"))
    assert len(mailoutbox) == 2
    body = mailoutbox[0].body
    assert "Alice Admin changed the single sign-on settings of Acme Ltd" in body
    assert "- whether a first login creates an account\n" in body
    assert "issuer" not in body and "client secret" not in body


def test_a_change_by_staff_says_it_was_privacydesk_staff(
    acme,
    acme_admin,
    acme_domain,
    dpo,
    oidc_provider,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    oidc_connection_for(acme, oidc_provider, acme_admin)
    dpo.full_name = "Dana Officer"
    dpo.save()

    with django_capture_on_commit_callbacks(execute=True):
        sso_connection_save(organisation=acme, by=dpo, sso_required=True)

    assert [message.to[0] for message in mailoutbox] == ["alice@acme.test"]
    assert "Dana Officer (PrivacyDesk staff) changed" in mailoutbox[0].body
    assert "- whether single sign-on is required\n" in mailoutbox[0].body
    assert "a client secret from the IdP" not in mailoutbox[0].body
