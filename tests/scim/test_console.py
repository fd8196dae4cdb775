"""The console's Provisioning (SCIM) page: a client admin creates a token (shown once, kept
hashed), sees each token's prefix, creation and last use, and revokes it; every change is
audited and the organisation's client admins are e-mailed."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from scim.models import ScimToken
from tests.factories import ClientAdminFactory, UserFactory
from tests.scim.conftest import ScimClient
from tests.visible import internals_in, visible_text

pytestmark = pytest.mark.django_db

PAGE = "/console/provisioning/"


@pytest.fixture
def admin(organisation):
    return ClientAdminFactory(
        organisation=organisation, full_name="Nora Wind", email="nora@northwind.example"
    )


@pytest.fixture
def console(admin, verified_client):
    return verified_client(admin)


def create(console, name="Entra ID production"):
    return console.post(PAGE, {"name": name})


def test_a_client_admin_creates_a_token_that_is_shown_once_and_kept_hashed(
    console, admin, organisation, django_capture_on_commit_callbacks, mailoutbox
):
    other_admin = ClientAdminFactory(organisation=organisation, email="ops@northwind.example")
    ClientAdminFactory(organisation=organisation, status=User.Status.SUSPENDED)
    UserFactory(organisation=organisation)  # a member is not told

    with django_capture_on_commit_callbacks(execute=True):
        response = create(console)

    assert response.status_code == 200
    token = ScimToken.objects.get(organisation=organisation)
    html = response.content.decode()
    plain = html.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert plain.startswith(token.prefix + ".")
    assert plain not in token.hashed_key and plain not in token.pk
    assert "http://testserver/scim/v2/" in html
    assert token.created_by == admin
    entry = AuditEntry.objects.get(action="scim_token.create")
    assert (entry.actor, entry.target_id) == (admin, token.prefix)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [admin.email, other_admin.email]
    )
    assert "Nora Wind created a provisioning (SCIM) token" in mailoutbox[0].body
    assert token.prefix in mailoutbox[0].body
    # The token works, and the page never shows it again.
    assert ScimClient(plain).get("/Users").status_code == 200
    again = console.get(PAGE).content.decode()
    assert plain not in again
    assert token.prefix in again


def test_the_page_lists_each_tokens_prefix_creation_and_last_use(console, organisation):
    create(console, "Okta")
    token = ScimToken.objects.get()
    assert "Never" in visible_text(console.get(PAGE))

    plain = create(console, "Okta 2").content.decode().split('readonly value="')[1].split('"')[0]
    ScimClient(plain).get("/Users")

    text = visible_text(console.get(PAGE))
    assert token.prefix in text and "Okta 2" in text
    assert "Never" in text  # the first token is still unused
    assert text.count("Active") == 2
    assert internals_in(visible_text(console.get(PAGE), prose_only=True)) == []


def test_a_token_is_revoked_after_a_confirmation_and_then_refused(
    console, admin, organisation, django_capture_on_commit_callbacks, mailoutbox
):
    plain = create(console).content.decode().split('readonly value="')[1].split('"')[0]
    token = ScimToken.objects.get()
    revoke = reverse("scim-console:token-revoke", kwargs={"prefix": token.prefix})
    mailoutbox.clear()

    confirm = console.get(revoke)
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(revoke, follow=True)

    assert "Revoke the provisioning token" in confirm.content.decode()
    assert response.status_code == 200
    assert "was revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked and token.revoked_by == admin
    assert AuditEntry.objects.filter(action="scim_token.revoke", target_id=token.prefix).exists()
    assert [message.subject for message in mailoutbox] == [
        "A provisioning (SCIM) token of your organisation was revoked"
    ]
    assert ScimClient(plain).get("/Users").status_code == 401
    # Revoking again changes nothing and tells nobody.
    console.post(revoke)
    assert AuditEntry.objects.filter(action="scim_token.revoke").count() == 1


def test_a_token_needs_a_name(console):
    response = create(console, "  ")

    assert response.status_code == 400
    assert not ScimToken.objects.exists()


def test_only_a_verified_client_admin_reaches_the_page(organisation, admin, verified_client):
    member = verified_client(UserFactory(organisation=organisation), client=Client())
    unverified = Client()
    unverified.force_login(admin)

    assert member.get(PAGE).status_code == 403
    assert member.post(PAGE, {"name": "Mine"}).status_code == 403
    assert unverified.get(PAGE).status_code in (302, 403)
    assert Client().get(PAGE).status_code == 302
    assert not ScimToken.objects.exists()


def test_the_console_navigation_leads_to_provisioning(console):
    html = console.get("/console/").content.decode()
    page = console.get(PAGE).content.decode()

    assert f'href="{PAGE}"' in html
    assert f'<a href="{PAGE}" aria-current="page">Provisioning (SCIM)</a>' in page


def test_a_token_may_expire_at_the_end_of_a_chosen_day(
    console, admin, verified_client, time_machine
):
    response = console.post(PAGE, {"name": "Okta trial", "expires_on": "2031-03-31"})
    plain = response.content.decode().split('readonly value="')[1].split('"')[0]
    token = ScimToken.objects.get()

    expires = timezone.localtime(token.expiry_date).isoformat()
    assert expires == "2031-03-31T23:59:59.999999+01:00"  # the end of the UK day (BST)
    assert "31 Mar 2031" in visible_text(console.get(PAGE))
    time_machine.move_to("2031-03-31T22:00:00+00:00", tick=False)
    assert ScimClient(plain).get("/Users").status_code == 200
    time_machine.move_to("2031-04-01T00:00:00+01:00", tick=False)
    assert ScimClient(plain).get("/Users").status_code == 401
    # Years on, the admin signs in again (the session has long ended).
    assert "Expired" in visible_text(verified_client(admin, client=Client()).get(PAGE))


def test_an_expiry_today_or_before_is_refused(console):
    response = console.post(PAGE, {"name": "Okta", "expires_on": "2020-01-01"})

    assert response.status_code == 400
    assert "Choose a day after today." in response.content.decode()
    assert not ScimToken.objects.exists()
