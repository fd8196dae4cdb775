"""The client admin console, /console/: users, their life cycle, settings and API keys."""

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import OrganisationAPIKey, Role, User
from audit.models import AuditEntry
from security.models import UserSession
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
    api_key_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Acme Analytics Ltd", slug="acme")


@pytest.fixture
def admin(organisation):
    return ClientAdminFactory(organisation=organisation, full_name="Alice Admin")


@pytest.fixture
def console(verified_client, admin):
    return verified_client(admin)


def page(response) -> str:
    return response.content.decode()


# --- Who reaches it -------------------------------------------------------------


@pytest.mark.parametrize(
    "make_user", [UserFactory, DpoFactory, SupportFactory], ids=["member", "dpo", "support"]
)
def test_only_client_admins_reach_the_console(verified_client, make_user):
    response = verified_client(make_user()).get("/console/")
    assert response.status_code == 403
    assert "The console is for client admins" in page(response)


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_client_admin_who_has_not_passed_mfa_does_not_reach_it(client, admin):
    UserFactory(organisation=admin.organisation, full_name="Hidden Person")
    client.force_login(admin)

    response = client.get("/console/")

    # The MFA middleware sends them to the two-step pages; the console refuses on its own too.
    assert response.status_code in (302, 403)
    assert "Hidden Person" not in page(response)


def test_client_admins_see_a_console_link_and_members_do_not(verified_client, admin):
    assert 'href="/console/"' in page(verified_client(admin).get("/account/"))
    member = UserFactory(organisation=admin.organisation)
    assert 'href="/console/"' not in page(verified_client(member, client=Client()).get("/account/"))


# --- The list -------------------------------------------------------------------


def test_the_list_shows_the_organisations_users_only(console, organisation):
    UserFactory(organisation=organisation, full_name="Ada Lovelace")
    UserFactory(full_name="Bob Elsewhere")

    html = page(console.get("/console/"))

    assert "Ada Lovelace" in html
    assert "Alice Admin" in html
    assert "Bob Elsewhere" not in html


def test_the_list_searches_by_name_or_email_and_filters_by_role_and_status(console, organisation):
    UserFactory(organisation=organisation, full_name="Ada Lovelace", email="ada@acme.test")
    UserFactory(organisation=organisation, full_name="Grace Hopper", status=User.Status.SUSPENDED)
    UserFactory(organisation=organisation, full_name="Alan Turing", email="alan@acme.test")

    by_email = page(console.get("/console/?search=ADA@"))
    assert "Ada Lovelace" in by_email
    assert "Alan Turing" not in by_email

    suspended = page(console.get("/console/?status=suspended"))
    assert "Grace Hopper" in suspended
    assert "Ada Lovelace" not in suspended

    admins = page(console.get("/console/?role=client_admin"))
    assert "Alice Admin" in admins
    assert "Ada Lovelace" not in admins


def test_no_match_gets_a_friendly_message(console):
    response = console.get("/console/?search=nobody-by-this-name")
    assert response.status_code == 200
    assert "No user matches these filters" in page(response)


def test_a_bad_filter_value_shows_an_error_not_a_500(console):
    response = console.get("/console/?status=on-holiday&page=abc&per_page=x")
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)


def test_the_list_is_paginated_and_keeps_the_filters(console, organisation):
    UserFactory.create_batch(12, organisation=organisation, job_title="Analyst")

    first = page(console.get("/console/?search=%40&per_page=10"))
    second = page(console.get("/console/?search=%40&per_page=10&page=2"))

    assert "Page 1 of 2" in first
    assert "search=%40&amp;per_page=10&amp;page=2" in first
    assert "Page 2 of 2" in second
    assert second.count("<tr>") == 1 + 3  # the header and 13 - 10 users


def test_the_list_query_count_does_not_depend_on_the_page_size(
    console, organisation, django_assert_num_queries, settings
):
    # Usage logging adds its own insert per request; its tests pin that.
    settings.USAGE_LOGGING_ENABLED = False
    UserFactory.create_batch(30, organisation=organisation)
    console.get("/console/")  # session tracking refreshes its row at most once a minute

    for per_page in (10, 100):
        # 1 the session, 2 the admin, 3 the OTP device, 4 the admin's organisation,
        # 5 the count, 6 the page of users
        with django_assert_num_queries(6):
            response = console.get(f"/console/?per_page={per_page}")
        assert response.status_code == 200


# --- Inviting -------------------------------------------------------------------


def test_inviting_creates_an_invited_user_and_sends_the_link(
    console, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            "/console/users/invite/",
            {"email": "New@Acme.test", "full_name": "New Person", "role": Role.MEMBER},
            follow=True,
        )

    invited = User.objects.get(email="new@acme.test")
    assert invited.organisation == organisation
    assert invited.status == User.Status.INVITED
    assert "Invitation sent to new@acme.test" in page(response)
    assert [mail.to for mail in mailoutbox] == [["new@acme.test"]]


def test_an_invalid_email_is_shown_on_the_form(console):
    response = console.post(
        "/console/users/invite/", {"email": "not-an-address", "full_name": "X", "role": "member"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in page(response)
    assert not User.objects.filter(full_name="X").exists()


def test_a_duplicate_email_is_shown_on_the_form(console):
    UserFactory(email="taken@acme.test")
    response = console.post(
        "/console/users/invite/",
        {"email": "Taken@ACME.test", "full_name": "Again", "role": "member"},
    )
    assert response.status_code == 400
    assert "A user with this e-mail address already exists." in page(response)
    assert User.objects.filter(email="taken@acme.test").count() == 1


def test_a_client_admin_cannot_invite_staff_roles(console):
    response = console.post(
        "/console/users/invite/", {"email": "d@acme.test", "full_name": "D", "role": "dpo"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="d@acme.test").exists()


# --- A user's page and the life cycle --------------------------------------------


def test_a_users_page_shows_their_recent_logins_and_sessions(console, organisation):
    person = UserFactory(organisation=organisation, email="ada@acme.test")
    common = {"username": "ada@acme.test", "http_accept": "text/html", "path_info": "/"}
    AccessLog.objects.create(ip_address="198.51.100.1", user_agent="Firefox/140", **common)
    AccessFailureLog.objects.create(
        ip_address="198.51.100.2", user_agent="curl/8", locked_out=False, **common
    )
    AccessLog.objects.create(
        ip_address="198.51.100.3", user_agent="x", **{**common, "username": "other@acme.test"}
    )
    UserSession.objects.create(
        user=person, session_key="k" * 32, ip_address="198.51.100.4", device="Safari on macOS"
    )

    html = page(console.get(f"/console/users/{person.pk}/"))

    assert "198.51.100.1" in html and "Succeeded" in html
    assert "198.51.100.2" in html and "Failed" in html
    assert "198.51.100.3" not in html
    assert "Safari on macOS" in html and "198.51.100.4" in html


def test_a_user_without_logins_gets_a_friendly_note(console, organisation):
    person = UserFactory(organisation=organisation)
    html = page(console.get(f"/console/users/{person.pk}/"))
    assert "No login attempts recorded" in html
    assert "No browser sessions recorded" in html


def test_changing_the_role(console, organisation):
    person = UserFactory(organisation=organisation)

    response = console.post(f"/console/users/{person.pk}/role/", {"role": "client_admin"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.role == Role.CLIENT_ADMIN
    assert AuditEntry.objects.filter(action="user.role_change", target_id=str(person.pk)).exists()


def test_a_client_admin_cannot_change_their_own_role(console, admin):
    response = console.post(f"/console/users/{admin.pk}/role/", {"role": "member"}, follow=True)
    assert "cannot run this action on your own account" in page(response)
    admin.refresh_from_db()
    assert admin.role == Role.CLIENT_ADMIN


def test_a_destructive_step_asks_for_confirmation_first(console, organisation):
    person = UserFactory(organisation=organisation)

    response = console.get(f"/console/users/{person.pk}/terminate/")

    assert response.status_code == 200
    assert "Terminate the account" in page(response)
    assert 'method="post"' in page(response)
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE


def test_suspending_requires_a_reason(console, organisation):
    person = UserFactory(organisation=organisation)

    response = console.post(f"/console/users/{person.pk}/suspend/", {"reason": "  "})

    assert response.status_code == 400
    assert "This field is required." in page(response)
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE


def test_suspending_with_a_reason_suspends_and_tells_the_admin(
    console, admin, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(organisation=organisation, full_name="Ada Lovelace")

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            f"/console/users/{person.pk}/suspend/", {"reason": "Left the company"}, follow=True
        )

    assert "Ada Lovelace was suspended." in page(response)
    person.refresh_from_db()
    assert person.status == User.Status.SUSPENDED
    assert person.suspended_reason == "Left the company"
    assert person.suspended_by == admin
    assert mailoutbox[-1].to == [person.email]


def test_reactivating_and_terminating(console, organisation):
    person = UserFactory(organisation=organisation, status=User.Status.SUSPENDED)

    console.post(f"/console/users/{person.pk}/reactivate/")
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE

    console.post(f"/console/users/{person.pk}/terminate/")
    person.refresh_from_db()
    assert person.status == User.Status.TERMINATED


def test_a_step_the_state_does_not_allow_is_explained_not_a_500(console, organisation):
    person = UserFactory(organisation=organisation)  # active
    response = console.post(f"/console/users/{person.pk}/reactivate/", follow=True)
    assert response.status_code == 200
    assert "account cannot be reactivated" in page(response)


def test_resetting_mfa_removes_the_authenticator(console, organisation):
    person = UserFactory(organisation=organisation)
    TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)

    console.post(f"/console/users/{person.pk}/reset-mfa/")

    assert not TOTPDevice.objects.filter(user=person).exists()
    assert AuditEntry.objects.filter(action="user.mfa_reset", target_id=str(person.pk)).exists()


def test_sending_the_invitation_again(
    console, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(organisation=organisation, status=User.Status.INVITED)

    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"/console/users/{person.pk}/reinvite/")

    assert mailoutbox[-1].to == [person.email]
    assert AuditEntry.objects.filter(action="user.reinvite").exists()


def test_a_post_without_the_csrf_token_is_refused(verified_client, admin, organisation):
    person = UserFactory(organisation=organisation)
    client = verified_client(admin, client=Client(enforce_csrf_checks=True))

    response = client.post(f"/console/users/{person.pk}/terminate/")

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE


# --- Organisation settings --------------------------------------------------------


def test_requiring_mfa_for_the_whole_organisation(console, organisation):
    response = console.post("/console/settings/", {"mfa_required": "on"}, follow=True)

    assert "settings were saved" in page(response)
    organisation.refresh_from_db()
    assert organisation.mfa_required
    assert AuditEntry.objects.filter(action="organisation.mfa_required").exists()

    console.post("/console/settings/", {})
    organisation.refresh_from_db()
    assert not organisation.mfa_required


# --- API keys -------------------------------------------------------------------


def test_a_new_key_is_shown_once_and_stored_hashed(console, organisation):
    response = console.post("/console/api-keys/", {"name": "HR sync", "scopes": ["users", "dsar"]})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plain = response.context["plain_key"]
    assert plain in page(response)
    key = OrganisationAPIKey.objects.get(organisation=organisation)
    assert key.name == "HR sync"
    assert key.scopes == ["dsar", "users"]
    assert plain not in (key.hashed_key, key.id)
    assert key.is_valid(plain)
    # The audit trail names the key by its prefix: its pk holds the hash.
    entry = AuditEntry.objects.get(action="api_key.create")
    assert (entry.target_id, entry.target_label) == (key.prefix, "HR sync")
    assert key.hashed_key not in str(entry.details)

    again = page(console.get("/console/api-keys/"))
    assert "HR sync" in again
    assert plain not in again
    assert plain.partition(".")[2] not in again


def test_a_key_needs_a_name_and_a_scope(console):
    response = console.post("/console/api-keys/", {"name": "", "scopes": []})
    assert response.status_code == 400
    # Each error is beside its field and, as a link to it, in the summary above the form.
    assert page(response).count("This field is required.") == 4
    assert not OrganisationAPIKey.objects.exists()


def test_the_keys_page_has_a_friendly_empty_state(console):
    assert "has no API keys yet" in page(console.get("/console/api-keys/"))


def test_the_keys_page_lists_only_the_organisations_keys(console, organisation):
    api_key_for(organisation, name="Ours")
    api_key_for(name="Theirs")
    html = page(console.get("/console/api-keys/"))
    assert "Ours" in html
    assert "Theirs" not in html


def test_revoking_a_key_after_confirming(console, organisation):
    key, plain = api_key_for(organisation, name="Old sync")

    confirm = console.get(f"/console/api-keys/{key.prefix}/revoke/")
    assert confirm.status_code == 200
    key.refresh_from_db()
    assert not key.revoked

    response = console.post(f"/console/api-keys/{key.prefix}/revoke/", follow=True)

    assert "was revoked" in page(response)
    key.refresh_from_db()
    assert key.revoked
    assert AuditEntry.objects.filter(action="api_key.revoke").exists()
    refused = Client().get("/api/v1/users/", HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert refused.status_code == 401
