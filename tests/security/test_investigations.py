"""The back office's investigations: who may see them, and every step a person takes."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from security.services.evidence import Event
from security.services.investigations import investigation_record_outcome
from security.services.rules import investigation_raise
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    InvestigationFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/backoffice/investigations/"


def held_investigation(user=None):
    """An investigation whose rule suspended the account, as a high-severity rule does."""
    user = user or UserFactory()
    return investigation_raise(
        rule="many_ips_in_hour",
        summary="Successful logins from 4 IP addresses within 60 minutes",
        evidence=[
            Event(timezone.now() - timedelta(minutes=n), f"192.0.2.{n}", "login_succeeded", "Fx")
            for n in range(1, 5)
        ],
        user=user,
        ip_address="192.0.2.4",
        suspend_reason="successful logins from many places within an hour",
    )


def actions(target):
    return list(
        AuditEntry.objects.filter(target_type=target._meta.label, target_id=str(target.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def dpo_client(verified_client):
    dpo = DpoFactory(full_name="Priya Shah")
    client = verified_client(dpo)
    client.user = dpo
    return client


# --- who may enter ------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory])
def test_members_and_client_admins_get_a_friendly_403(verified_client, factory):
    investigation = InvestigationFactory()
    client = verified_client(factory())
    for url in (LIST, f"{LIST}{investigation.pk}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "privacy and support team" in response.content.decode()
    response = client.post(f"{LIST}{investigation.pk}/notes/", {"text": "hello"})
    assert response.status_code == 403
    assert not investigation.notes.exists()


def test_staff_without_a_verified_second_factor_get_a_403(client):
    client.force_login(SupportFactory())
    response = client.get(LIST)
    # The two-step middleware may send them to verify first; either way, no queue is shown.
    assert response.status_code in (302, 403)
    assert b"Investigations</h1>" not in response.content


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_dpo_and_support_see_the_back_office_link(verified_client):
    assert "Back office" in verified_client(SupportFactory()).get("/account/").content.decode()
    other = Client()
    assert (
        "Back office"
        not in verified_client(UserFactory(), client=other).get("/account/").content.decode()
    )


# --- the list -----------------------------------------------------------------------------


def test_the_list_shows_overdue_reviews_first_with_a_badge(dpo_client):
    organisation = OrganisationFactory(name="Acme Analytics Ltd")
    with time_machine.travel(timezone.now() - timedelta(hours=30)):
        overdue = held_investigation(UserFactory(organisation=organisation, full_name="Ava Old"))
    recent = InvestigationFactory(user=UserFactory(full_name="Noah New"))
    recent.assignee = dpo_client.user
    recent.save()

    response = dpo_client.get(LIST)
    html = response.content.decode()
    assert [i.pk for i in response.context["page"]] == [overdue.pk, recent.pk]
    assert html.count("Review overdue") == 1
    assert "Logins from many IPs within an hour" in html
    assert "Acme Analytics Ltd" in html
    assert "High" in html
    assert "Priya Shah" in html
    assert html.index("Ava Old") < html.index("Noah New")


def test_the_list_filters_open_and_closed(dpo_client):
    InvestigationFactory(summary="still open")
    closed = InvestigationFactory()
    investigation_record_outcome(
        investigation=closed, outcome="cleared", reason="A forgotten password.", by=DpoFactory()
    )
    assert [i.pk for i in dpo_client.get(LIST).context["page"]] != [closed.pk]
    assert [i.pk for i in dpo_client.get(f"{LIST}?status=closed").context["page"]] == [closed.pk]
    assert len(dpo_client.get(f"{LIST}?status=all").context["page"]) == 2


def test_the_list_query_count_does_not_grow_with_its_rows(dpo_client, django_assert_num_queries):
    for _ in range(3):
        InvestigationFactory(assignee=dpo_client.user)
    # session, user, OTP device, count, one page with user, organisation and assignee joined.
    with django_assert_num_queries(5):
        assert dpo_client.get(LIST).status_code == 200
    for _ in range(20):
        InvestigationFactory(assignee=dpo_client.user, user=UserFactory())
    with django_assert_num_queries(5):
        assert dpo_client.get(LIST).status_code == 200


def test_the_list_is_paginated(dpo_client):
    for _ in range(30):
        InvestigationFactory()
    first = dpo_client.get(LIST)
    assert len(first.context["page"]) == 25
    assert "page=2" in first.content.decode()
    assert len(dpo_client.get(f"{LIST}?page=2").context["page"]) == 5


# --- the detail page ----------------------------------------------------------------------


def test_opening_an_investigation_shows_its_evidence_and_is_audited(dpo_client):
    investigation = held_investigation(UserFactory(full_name="Ava Held"))
    html = dpo_client.get(f"{LIST}{investigation.pk}/").content.decode()
    assert "Ava Held" in html
    assert "Suspended" in html
    for n in range(1, 5):
        assert f"192.0.2.{n}" in html
    assert "Successful login" in html
    view = AuditEntry.objects.filter(action="investigation.view").get()
    assert view.actor == dpo_client.user
    assert view.target_id == str(investigation.pk)


def test_an_unknown_investigation_is_a_404(dpo_client):
    assert dpo_client.get(f"{LIST}999999/").status_code == 404


def test_a_note_is_shown_with_its_author_and_audited_without_its_text(dpo_client):
    investigation = InvestigationFactory()
    response = dpo_client.post(
        f"{LIST}{investigation.pk}/notes/", {"text": "Called the user; they were on holiday."}
    )
    assert response.status_code == 302
    html = dpo_client.get(f"{LIST}{investigation.pk}/").content.decode()
    assert "Called the user; they were on holiday." in html
    assert "Priya Shah" in html
    entry = AuditEntry.objects.get(action="investigation.note")
    assert entry.actor == dpo_client.user
    assert "holiday" not in str(entry.details)


def test_an_empty_note_is_refused_with_a_message(dpo_client):
    investigation = InvestigationFactory()
    response = dpo_client.post(f"{LIST}{investigation.pk}/notes/", {"text": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not investigation.notes.exists()


def test_assigning_to_me_and_to_a_colleague_is_audited(dpo_client):
    investigation = InvestigationFactory()
    colleague = SupportFactory(full_name="Sam Jones")
    dpo_client.post(f"{LIST}{investigation.pk}/assignee/", {"assignee": dpo_client.user.pk})
    investigation.refresh_from_db()
    assert investigation.assignee == dpo_client.user
    dpo_client.post(f"{LIST}{investigation.pk}/assignee/", {"assignee": colleague.pk})
    investigation.refresh_from_db()
    assert investigation.assignee == colleague
    assert actions(investigation).count("investigation.assign") == 2


def test_an_investigation_cannot_be_assigned_to_a_member(dpo_client):
    investigation = InvestigationFactory()
    member = UserFactory()
    dpo_client.post(f"{LIST}{investigation.pk}/assignee/", {"assignee": member.pk})
    investigation.refresh_from_db()
    assert investigation.assignee is None


# --- outcomes -----------------------------------------------------------------------------


def outcome(client, investigation, value, reason="Checked with the client's IT team."):
    return client.post(
        f"{LIST}{investigation.pk}/outcome/", {"outcome": value, "outcome-reason": reason}
    )


def test_clearing_a_hold_reactivates_the_account_and_tells_the_user(
    dpo_client, mailoutbox, django_capture_on_commit_callbacks
):
    investigation = held_investigation()
    user = investigation.user
    with django_capture_on_commit_callbacks(execute=True):
        assert outcome(dpo_client, investigation, "cleared").status_code == 302

    investigation.refresh_from_db()
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE
    assert investigation.status == "closed"
    assert investigation.outcome == "cleared"
    assert investigation.outcome_reason == "Checked with the client's IT team."
    assert investigation.closed_by == dpo_client.user
    assert investigation.reviewed_at is not None
    assert not investigation.review_overdue
    assert any("reactivated" in mail.subject for mail in mailoutbox)
    assert "investigation.outcome" in actions(investigation)
    assert "user.reactivate" in actions(user)


def test_confirming_and_terminating_terminates_the_account(dpo_client):
    investigation = held_investigation()
    outcome(dpo_client, investigation, "confirmed_terminated")
    investigation.user.refresh_from_db()
    assert investigation.user.status == User.Status.TERMINATED
    assert "user.terminate" in actions(investigation.user)


def test_confirming_and_keeping_the_suspension_changes_no_status(dpo_client):
    investigation = held_investigation()
    outcome(dpo_client, investigation, "confirmed_suspended")
    investigation.refresh_from_db()
    investigation.user.refresh_from_db()
    assert investigation.outcome == "confirmed_suspended"
    assert investigation.user.status == User.Status.SUSPENDED


def test_escalating_to_a_breach_records_the_escalation_and_its_reason(dpo_client):
    investigation = held_investigation()
    outcome(dpo_client, investigation, "escalated_breach", "Credentials found in a paste.")
    investigation.refresh_from_db()
    assert investigation.outcome == "escalated_breach"
    assert investigation.outcome_reason == "Credentials found in a paste."
    entry = AuditEntry.objects.get(action="investigation.outcome")
    assert entry.details == {
        "outcome": "escalated_breach",
        "reason": "Credentials found in a paste.",
    }
    html = dpo_client.get(f"{LIST}{investigation.pk}/").content.decode()
    assert "Escalated to a breach" in html
    assert "Credentials found in a paste." in html


def test_an_outcome_needs_a_reason(dpo_client):
    investigation = held_investigation()
    response = outcome(dpo_client, investigation, "cleared", reason="")
    assert response.status_code == 400
    investigation.refresh_from_db()
    assert investigation.status == "open"
    assert investigation.user.status == User.Status.SUSPENDED


def test_keeping_a_suspension_is_refused_when_the_account_is_not_suspended(dpo_client):
    investigation = InvestigationFactory()
    response = outcome(dpo_client, investigation, "confirmed_suspended")
    assert response.status_code == 400
    investigation.refresh_from_db()
    assert investigation.status == "open"


def test_a_closed_investigation_takes_no_second_outcome(dpo_client):
    investigation = held_investigation()
    outcome(dpo_client, investigation, "confirmed_suspended")
    response = outcome(dpo_client, investigation, "cleared")
    assert response.status_code == 400
    investigation.user.refresh_from_db()
    assert investigation.user.status == User.Status.SUSPENDED


def test_nobody_decides_an_investigation_of_their_own_account(verified_client):
    dpo = DpoFactory()
    investigation = InvestigationFactory(user=dpo, organisation=None, rule="privileged_new_ip")
    client = verified_client(dpo)
    html = client.get(f"{LIST}{investigation.pk}/").content.decode()
    assert "a colleague must review it" in html
    assert outcome(client, investigation, "cleared").status_code == 403
    investigation.refresh_from_db()
    assert investigation.status == "open"


def test_confirming_a_hold_while_investigating_ends_the_overdue_review(dpo_client):
    with time_machine.travel(timezone.now() - timedelta(hours=30)):
        investigation = held_investigation()
    assert investigation.review_overdue
    response = dpo_client.post(
        f"{LIST}{investigation.pk}/confirm-suspension/",
        {"confirm-reason": "Waiting for the client to confirm the travel."},
    )
    assert response.status_code == 302
    investigation.refresh_from_db()
    assert not investigation.review_overdue
    assert investigation.status == "open"
    assert "investigation.suspension_confirmed" in actions(investigation)
    assert dpo_client.get(LIST).content.decode().count("Review overdue") == 0


def test_an_api_key_investigation_offers_only_clear_or_escalate(dpo_client):
    investigation = InvestigationFactory(user=None, organisation=None, rule="api_key_failure_burst")
    html = dpo_client.get(f"{LIST}{investigation.pk}/").content.decode()
    assert 'value="cleared"' in html
    assert 'value="escalated_breach"' in html
    assert 'value="confirmed_terminated"' not in html
    assert outcome(dpo_client, investigation, "confirmed_terminated").status_code == 400


def test_the_staff_decorator_refuses_an_unverified_staff_session(rf):
    from common.decorators import staff_required

    @staff_required
    def view(request):
        raise AssertionError("the view must not run")

    request = rf.get(LIST)
    request.user = SupportFactory()
    request.user.is_verified = lambda: False
    response = view(request)
    assert response.status_code == 403
    assert "two-step verification" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
