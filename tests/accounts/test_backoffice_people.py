"""The back office's people pages, /backoffice/people/: find anyone, see their account, act."""

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services.users import user_suspend
from accounts.views import people as people_views
from audit.models import AuditEntry
from security.models import BackupCodeDevice, Investigation, UserSession
from security.services.mfa import mfa_backup_codes_issue
from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    InvestigationFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = "/backoffice/people/"


def person_url(person, step: str = "") -> str:
    return f"{SEARCH}{person.pk}/{step + '/' if step else ''}"


def page(response) -> str:
    return response.content.decode()


def entries(action: str, target) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=action, target_type=target._meta.label, target_id=str(target.pk)
        )
    )


@pytest.fixture
def dpo():
    return DpoFactory(full_name="Priya Shah")


@pytest.fixture
def dpo_client(verified_client, dpo):
    return verified_client(dpo)


@pytest.fixture
def support_client(verified_client):
    return verified_client(SupportFactory(full_name="Sam Support"), client=Client())


@pytest.fixture
def acme():
    return OrganisationFactory(name="Acme Analytics Ltd", slug="acme")


@pytest.fixture
def globex():
    return OrganisationFactory(name="Globex plc", slug="globex")


# --- Who reaches it -------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory], ids=["member", "admin"])
def test_members_and_client_admins_get_a_403_everywhere(verified_client, factory):
    person = UserFactory(full_name="Hidden Person")
    client = verified_client(factory(organisation=person.organisation))

    for url in (SEARCH, person_url(person), person_url(person, "terminate")):
        response = client.get(url)
        assert response.status_code == 403
        assert "Hidden Person" not in page(response)
    response = client.post(person_url(person, "terminate"), {"password": TEST_PASSWORD})

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE
    assert not entries("person.view", person)


def test_the_view_guard_refuses_a_dpo_who_has_not_passed_mfa(rf):
    request = rf.get(SEARCH)
    request.user = DpoFactory()
    request.user.is_verified = lambda: False

    response = people_views.people_search(request)

    assert response.status_code == 403
    assert "two-step verification" in page(response)


def test_an_unverified_dpo_session_sees_nobody(client):
    UserFactory(full_name="Hidden Person")
    client.force_login(DpoFactory())

    response = client.get(SEARCH)

    # The two-step middleware sends them to verify first; the view refuses on its own too.
    assert response.status_code in (302, 403)
    assert "Hidden Person" not in page(response)


def test_the_back_office_navigation_links_to_people(dpo_client):
    html = page(dpo_client.get("/backoffice/investigations/"))
    assert f'href="{SEARCH}"' in html
    assert "People</a>" in html


# --- Search -----------------------------------------------------------------------------------


def test_the_search_finds_people_across_organisations_by_name_or_email(dpo_client, acme, globex):
    UserFactory(organisation=acme, full_name="Ada Lovelace", email="ada@acme.test")
    UserFactory(organisation=globex, full_name="Adam Smith", email="adam@globex.test")
    UserFactory(organisation=globex, full_name="Grace Hopper", email="grace@globex.test")

    html = page(dpo_client.get(f"{SEARCH}?search=ADA"))

    assert "Ada Lovelace" in html and "Acme Analytics Ltd" in html
    assert "Adam Smith" in html and "Globex plc" in html
    assert "Grace Hopper" not in html
    assert "Adam Smith" in page(dpo_client.get(f"{SEARCH}?search=@GLOBEX"))


def test_the_search_filters_by_organisation_role_and_status(dpo_client, acme, globex):
    UserFactory(organisation=acme, full_name="Ada Lovelace")
    ClientAdminFactory(organisation=globex, full_name="Alan Turing")
    UserFactory(organisation=globex, full_name="Grace Hopper", status=User.Status.SUSPENDED)

    def names(query: str) -> set[str]:
        return {person.full_name for person in dpo_client.get(SEARCH + query).context["page"]}

    assert names(f"?organisation={globex.pk}") == {"Alan Turing", "Grace Hopper"}
    assert names("?role=client_admin") == {"Alan Turing"}
    assert names(f"?organisation={globex.pk}&status=suspended") == {"Grace Hopper"}


def test_the_search_shows_whether_each_person_is_enrolled_in_mfa(dpo_client, acme):
    enrolled = UserFactory(organisation=acme, full_name="Ada Lovelace")
    TOTPDevice.objects.create(user=enrolled, name="Phone", confirmed=True)
    halfway = UserFactory(organisation=acme, full_name="Grace Hopper")
    TOTPDevice.objects.create(user=halfway, name="Phone", confirmed=False)

    people = {
        p.full_name: p for p in dpo_client.get(f"{SEARCH}?organisation={acme.pk}").context["page"]
    }

    assert people["Ada Lovelace"].mfa_enrolled is True
    assert people["Grace Hopper"].mfa_enrolled is False


def test_a_bad_filter_value_is_a_form_error_not_a_500(dpo_client):
    response = dpo_client.get(f"{SEARCH}?organisation=999999&status=on-holiday&page=abc")
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)


def test_nobody_matching_gets_a_friendly_message(dpo_client):
    assert "Nobody matches these filters" in page(dpo_client.get(f"{SEARCH}?search=no-such-person"))


def test_the_search_is_paginated_and_keeps_the_query(dpo_client, acme):
    for n in range(30):
        UserFactory(organisation=acme, full_name=f"Acme Person {n:02}")

    first = dpo_client.get(f"{SEARCH}?search=acme+person")

    assert len(first.context["page"]) == 25
    assert "?search=acme+person&amp;page=2" in page(first)
    assert len(dpo_client.get(f"{SEARCH}?search=acme+person&page=2").context["page"]) == 5


def test_the_search_query_count_does_not_grow_with_its_rows(
    dpo_client, acme, globex, django_assert_num_queries
):
    UserFactory(organisation=acme)
    # session, user, OTP device; the organisations for the filter; the count; one page with
    # the organisation joined and MFA enrolment as an EXISTS subquery.
    with django_assert_num_queries(6):
        assert dpo_client.get(SEARCH).status_code == 200
    for n in range(20):
        person = UserFactory(organisation=globex if n % 2 else acme)
        TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)
    with django_assert_num_queries(6):
        assert dpo_client.get(SEARCH).status_code == 200


# --- A person's page --------------------------------------------------------------------------


def test_viewing_a_person_writes_an_audit_entry(dpo_client, dpo, acme):
    person = UserFactory(organisation=acme)

    assert dpo_client.get(person_url(person)).status_code == 200

    (view,) = entries("person.view", person)
    assert view.actor == dpo


def test_a_persons_page_shows_status_devices_logins_and_open_investigations(dpo_client, dpo, acme):
    person = UserFactory(organisation=acme, full_name="Ada Lovelace", email="ada@acme.test")
    user_suspend(user=person, reason="Laptop reported stolen", by=dpo)
    device = TOTPDevice.objects.create(user=person, name="Pixel phone", confirmed=True)
    mfa_backup_codes_issue(user=person)
    common = {"username": "ada@acme.test", "http_accept": "text/html", "path_info": "/"}
    AccessLog.objects.create(ip_address="198.51.100.1", user_agent="Firefox/140", **common)
    AccessFailureLog.objects.create(
        ip_address="198.51.100.2", user_agent="curl/8", locked_out=False, **common
    )
    open_one = InvestigationFactory(user=person)
    closed = InvestigationFactory(user=person, status=Investigation.Status.CLOSED)

    html = page(dpo_client.get(person_url(person)))

    assert "Suspended" in html and "Laptop reported stolen" in html and "by Priya Shah" in html
    assert "Pixel phone" in html and "10 unused" in html
    assert device.key not in html
    assert "198.51.100.1" in html and "198.51.100.2" in html and "Failed" in html
    assert f'href="/backoffice/investigations/{open_one.pk}/"' in html
    assert f"/backoffice/investigations/{closed.pk}/" not in html
    assert "Reactivate the account" in html and "Suspend the account" not in html


def test_an_unknown_person_or_step_is_a_404(dpo_client, acme):
    person = UserFactory(organisation=acme)
    assert dpo_client.get(f"{SEARCH}999999/").status_code == 404
    assert dpo_client.get(person_url(person, "delete-everything")).status_code == 404


# --- Acting on a person -----------------------------------------------------------------------


def test_a_destructive_step_asks_for_the_password_before_anything_happens(dpo_client, acme):
    person = UserFactory(organisation=acme, full_name="Ada Lovelace")

    response = dpo_client.get(person_url(person, "terminate"))

    assert response.status_code == 200
    assert "Terminate the account" in page(response)
    assert 'type="password"' in page(response) and "Acme Analytics Ltd" in page(response)
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE


def test_a_dpo_suspends_with_a_reason_and_password_and_the_users_session_ends(
    dpo_client, dpo, acme, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(organisation=acme, full_name="Ada Lovelace")
    person_client = Client()
    person_client.force_login(person)
    assert person_client.get("/account/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(
            person_url(person, "suspend"),
            {"reason": "Reported by their employer", "password": TEST_PASSWORD},
            follow=True,
        )

    assert "Ada Lovelace was suspended." in page(response)
    assert response.redirect_chain[-1][0] == person_url(person)
    person.refresh_from_db()
    assert person.status == User.Status.SUSPENDED
    assert person.suspended_reason == "Reported by their employer"
    assert person.suspended_by == dpo
    assert entries("user.suspend", person)[0].actor == dpo
    assert mailoutbox[-1].to == [person.email]
    assert UserSession.objects.get(user=person).ended_at is not None
    assert person_client.get("/account/")["Location"].startswith("/accounts/login/")


def test_a_wrong_password_is_refused_and_nothing_changes(dpo_client, acme, mailoutbox):
    person = UserFactory(organisation=acme)

    response = dpo_client.post(
        person_url(person, "suspend"), {"reason": "Reported", "password": "not my password"}
    )

    assert response.status_code == 400
    assert "That is not your password." in page(response)
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE
    assert not entries("user.suspend", person)
    assert not mailoutbox


def test_a_suspension_needs_a_reason_as_well_as_the_password(dpo_client, acme):
    person = UserFactory(organisation=acme)

    response = dpo_client.post(person_url(person, "suspend"), {"reason": " ", "password": ""})

    assert response.status_code == 400
    # Each error is beside its field and, as a link to it, in the summary above the form.
    assert page(response).count("This field is required.") == 4
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE


def test_terminating_needs_the_password(dpo_client, acme):
    person = UserFactory(organisation=acme)

    assert dpo_client.post(person_url(person, "terminate")).status_code == 400
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE

    dpo_client.post(person_url(person, "terminate"), {"password": TEST_PASSWORD})
    person.refresh_from_db()
    assert person.status == User.Status.TERMINATED


def test_resetting_mfa_removes_the_devices_and_emails_the_user(
    dpo_client, dpo, acme, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(organisation=acme)
    TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)
    mfa_backup_codes_issue(user=person)

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(person_url(person, "reset-mfa"), {"password": TEST_PASSWORD})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not BackupCodeDevice.objects.filter(user=person).exists()
    assert entries("user.mfa_reset", person)[0].actor == dpo
    assert mailoutbox[-1].to == [person.email]
    assert "two-step login was reset" in mailoutbox[-1].subject


def test_reactivating_and_resending_an_invitation_need_no_password(
    dpo_client, acme, mailoutbox, django_capture_on_commit_callbacks
):
    suspended = UserFactory(organisation=acme, status=User.Status.SUSPENDED)
    invited = UserFactory(organisation=acme, status=User.Status.INVITED)

    assert 'type="password"' not in page(dpo_client.get(person_url(suspended, "reactivate")))
    dpo_client.post(person_url(suspended, "reactivate"))
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(person_url(invited, "reinvite"))

    suspended.refresh_from_db()
    assert suspended.status == User.Status.ACTIVE
    assert mailoutbox[-1].to == [invited.email]
    assert entries("user.reinvite", invited)


def test_a_step_the_state_does_not_allow_is_explained_not_a_500(dpo_client, acme):
    person = UserFactory(organisation=acme)  # active
    response = dpo_client.post(person_url(person, "reactivate"), follow=True)
    assert response.status_code == 200
    assert "account cannot be reactivated" in page(response)


def test_support_suspends_client_users_but_neither_resets_mfa_nor_terminates(support_client, acme):
    person = UserFactory(organisation=acme)
    TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)

    html = page(support_client.get(person_url(person)))
    assert "Suspend the account" in html
    assert "Reset two-step login" not in html
    assert "Terminate the account" not in html

    response = support_client.post(person_url(person, "reset-mfa"), {"password": TEST_PASSWORD})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=person).exists()

    # Termination outside an investigation is the DPO's decision.
    response = support_client.post(person_url(person, "terminate"), {"password": TEST_PASSWORD})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE


@pytest.mark.parametrize("factory", [DpoFactory, SupportFactory], ids=["dpo", "support"])
def test_staff_accounts_are_not_managed_here(dpo_client, factory):
    colleague = factory(full_name="A Colleague")

    html = page(dpo_client.get(person_url(colleague)))
    assert "Staff accounts are not managed in the back office." in html
    assert "Terminate the account" not in html

    for step in ("suspend", "terminate", "reset-mfa", "reactivate"):
        response = dpo_client.post(
            person_url(colleague, step), {"reason": "No", "password": TEST_PASSWORD}
        )
        assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.status == User.Status.ACTIVE
    assert not AuditEntry.objects.filter(action__startswith="user.").exists()


def test_nobody_acts_on_their_own_account_here(dpo_client, dpo):
    TOTPDevice.objects.filter(user=dpo).update(name="My phone")

    assert "You cannot manage your own account here" in page(dpo_client.get(person_url(dpo)))
    response = dpo_client.post(
        person_url(dpo, "suspend"), {"reason": "Testing", "password": TEST_PASSWORD}
    )

    assert response.status_code == 403
    dpo.refresh_from_db()
    assert dpo.status == User.Status.ACTIVE
    assert TOTPDevice.objects.filter(user=dpo).exists()


def test_a_post_without_the_csrf_token_is_refused(verified_client, acme):
    person = UserFactory(organisation=acme)
    client = verified_client(DpoFactory(), client=Client(enforce_csrf_checks=True))

    response = client.post(person_url(person, "terminate"), {"password": TEST_PASSWORD})

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE
