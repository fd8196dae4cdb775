"""The back office's organisation pages: the list (paged, its queries pinned), creating one,
its page (users by status, admins, MFA, domains, group companies, legal holds, closure), and
closing and reopening with the password again. Every view and change is on the audit trail;
bad input is a form error, never a server error."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import GroupCompany, Organisation, User
from accounts.services.organisations import organisation_close
from audit.models import AuditEntry
from retention.models import RetentionPolicy
from retention.services import schedule
from retention.services.purge import purge_category
from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/backoffice/organisations/"
NEW = "/backoffice/organisations/new/"


def url(organisation, step: str = "") -> str:
    return f"/backoffice/organisations/{organisation.pk}/{step + '/' if step else ''}"


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def support(verified_client):
    user = SupportFactory(email="sam.support@privacydesk.example")
    return verified_client(user, client=Client()), user


@pytest.fixture
def dpo(verified_client):
    user = DpoFactory()
    return verified_client(user, client=Client()), user


@pytest.fixture
def acme():
    organisation = OrganisationFactory(name="Acme Ltd", slug="acme")
    ClientAdminFactory(organisation=organisation, full_name="Ada Admin", email="ada@acme.example")
    UserFactory(organisation=organisation)
    UserFactory(organisation=organisation, status=User.Status.SUSPENDED)
    return organisation


# --- The list -----------------------------------------------------------------------------


def test_the_list_shows_each_organisation_in_a_fixed_number_of_queries(
    support, django_assert_num_queries
):
    client, _ = support
    for n in range(4):
        organisation = OrganisationFactory(name=f"Client {n:02d} Ltd")
        UserFactory.create_batch(n, organisation=organisation)
    OrganisationFactory(name="Zed Ltd", status=Organisation.Status.CLOSED)
    client.get(LIST)  # warm the session and the user
    # session, user, OTP device; the count; the page with its users counted; the audit
    # entry (savepoint, chain lock, previous entry, insert, release)
    with django_assert_num_queries(10):
        response = client.get(LIST)
    body = text(response)
    assert response.status_code == 200
    assert "5 organisations, by name" in body
    assert "Client 03 Ltd" in body and "Zed Ltd" in body and "Closed" in body
    assert AuditEntry.objects.filter(action="organisation.list").exists()


def test_the_list_is_paged(support):
    client, _ = support
    for n in range(27):
        OrganisationFactory(name=f"Client {n:02d} Ltd")
    first = text(client.get(LIST))
    assert "Client 24 Ltd" in first and "Client 25 Ltd" not in first
    assert "Page 1 of 2" in first
    assert "Client 26 Ltd" in text(client.get(LIST + "?page=2"))
    assert client.get(LIST + "?page=abc").status_code == 200


# --- Creating -----------------------------------------------------------------------------


def test_staff_create_an_organisation_and_its_admin_is_invited(
    support, mailoutbox, django_capture_on_commit_callbacks
):
    client, user = support
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            {
                "name": "Northwind Ltd",
                "admin_email": "ops@northwind.example",
                "admin_name": "Nora Wind",
                "mfa_required": "on",
            },
            follow=True,
        )
    organisation = Organisation.objects.get(name="Northwind Ltd")
    assert response.redirect_chain[-1][0] == url(organisation)
    body = text(response)
    assert "An invitation was sent to ops@northwind.example" in body
    assert "Required of every user." in body
    assert [mail.to for mail in mailoutbox] == [["ops@northwind.example"]]
    assert AuditEntry.objects.get(action="organisation.create").actor == user


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "", "admin_email": "a@new.example"}, "This field is required."),
        ({"name": "New Ltd", "admin_email": "nope"}, "Enter a valid email address."),
        ({"name": "New Ltd", "admin_email": "ada@acme.example"}, "already exists"),
        ({"name": "ACME LTD", "admin_email": "b@new.example"}, "name already exists"),
        ({"name": "   ", "admin_email": "c@new.example"}, "This field is required."),
    ],
)
def test_bad_input_shows_on_the_form(support, acme, data, error):
    client, _ = support
    before = Organisation.objects.count()
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert error in text(response)
    assert Organisation.objects.count() == before


# --- An organisation's page ------------------------------------------------------------------


def test_the_page_shows_users_admins_domains_holds_and_is_audited(dpo, acme):
    client, user = dpo
    acme.allowed_email_domains = ["acme.example"]
    acme.save()
    sister = OrganisationFactory(name="Acme Sister Ltd")
    GroupCompany.objects.create(
        organisation=acme, member=sister, requested_on=datetime.date(2026, 1, 5)
    )
    held = UserFactory(organisation=acme, email="held@acme.example")
    schedule.legal_hold_place(user=held, reason="Tribunal claim", by=user)

    response = client.get(url(acme))
    body = text(response)
    assert response.status_code == 200
    assert '<td>Active</td><td class="num">3</td>' in body  # the admin, two members
    assert '<td>Suspended</td><td class="num">1</td>' in body
    assert "Ada Admin" in body
    assert "<code>acme.example</code>" in body
    assert "Acme Sister Ltd" in body
    assert "held@acme.example" in body and "Tribunal claim" in body
    assert "Close the organisation" in body
    entry = AuditEntry.objects.get(action="organisation.view")
    assert (entry.actor, entry.target_id) == (user, str(acme.pk))


def test_an_unknown_organisation_is_404(support):
    client, _ = support
    assert client.get("/backoffice/organisations/987654/").status_code == 404


def test_staff_toggle_the_mfa_requirement(support, acme):
    client, _ = support
    response = client.post(url(acme, "mfa"), {"mfa_required": "on"}, follow=True)
    assert "now required of every user" in text(response)
    acme.refresh_from_db()
    assert acme.mfa_required
    client.post(url(acme, "mfa"), {})
    acme.refresh_from_db()
    assert not acme.mfa_required
    assert AuditEntry.objects.filter(action="organisation.mfa_required").count() == 2


def test_staff_edit_the_domains_and_a_bad_one_is_a_form_error(support, acme):
    client, _ = support
    bad = client.post(url(acme, "domains"), {"domains": "acme.example\nnot a domain"})
    assert bad.status_code == 400
    assert "is not an e-mail domain" in text(bad)
    acme.refresh_from_db()
    assert acme.allowed_email_domains == []

    client.post(url(acme, "domains"), {"domains": "ACME.example, acme-group.example"})
    acme.refresh_from_db()
    assert acme.allowed_email_domains == ["acme-group.example", "acme.example"]
    assert "acme-group.example\nacme.example" in text(client.get(url(acme, "domains")))


# --- Closing and reopening --------------------------------------------------------------------


def test_closing_asks_for_the_password_and_a_valid_date(support, acme):
    client, _ = support
    today = timezone.localdate()
    wrong = client.post(
        url(acme, "close"),
        {"reason": "Contract ended", "effective_on": today.isoformat(), "password": "wrong one"},
    )
    assert wrong.status_code == 400
    assert "That is not your password." in text(wrong)
    future = client.post(
        url(acme, "close"),
        {
            "reason": "Contract ended",
            "effective_on": (today + datetime.timedelta(days=1)).isoformat(),
            "password": TEST_PASSWORD,
        },
    )
    assert future.status_code == 400
    assert "cannot be in the future" in text(future)
    garbage = client.post(
        url(acme, "close"), {"reason": "", "effective_on": "soon", "password": TEST_PASSWORD}
    )
    assert garbage.status_code == 400
    acme.refresh_from_db()
    assert acme.status == Organisation.Status.ACTIVE
    assert not AuditEntry.objects.filter(action="organisation.close").exists()


def test_staff_close_then_reopen_an_organisation(
    support, acme, mailoutbox, django_capture_on_commit_callbacks
):
    client, user = support
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(
            url(acme, "close"),
            {
                "reason": "Contract ended",
                "effective_on": today.isoformat(),
                "password": TEST_PASSWORD,
            },
            follow=True,
        )
    body = text(closed)
    assert "Acme Ltd was closed" in body
    assert "Contract ended" in body and "Reopen the organisation" in body
    assert '<td>Terminated</td><td class="num">3</td>' in body
    acme.refresh_from_db()
    assert acme.closed_by == user and acme.closure_effective_on == today
    assert [mail.to for mail in mailoutbox] == [["ada@acme.example"]]
    assert client.get(url(acme, "close"), follow=True).redirect_chain  # already closed

    mailoutbox.clear()
    wrong = client.post(url(acme, "reopen"), {"password": "not it"})
    assert wrong.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        reopened = client.post(url(acme, "reopen"), {"password": TEST_PASSWORD}, follow=True)
    assert "Acme Ltd was reopened" in text(reopened)
    acme.refresh_from_db()
    assert acme.status == Organisation.Status.ACTIVE
    assert [mail.to for mail in mailoutbox] == [["ada@acme.example"]]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organisation.close", "organisation.reopen"} <= actions


def test_reopening_after_the_purge_is_refused_with_a_clear_message(support, acme):
    client, user = support
    days = RetentionPolicy.objects.get(category="account").days
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=days + 2), tick=False):
        organisation_close(
            organisation=acme,
            reason="Contract ended",
            effective_on=timezone.localdate(),
            by=user,
        )
    purge_category(category="account")

    response = client.post(url(acme, "reopen"), {"password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "Acme Ltd cannot be reopened: its data has been erased by the retention purge" in text(
        response
    )
    acme.refresh_from_db()
    assert acme.status == Organisation.Status.CLOSED
