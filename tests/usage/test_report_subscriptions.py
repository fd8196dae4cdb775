"""A client admin subscribes the organisation to a weekly or monthly usage report, to people
allowed to receive it; nobody else can, and no one else can be chosen."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from audit.models import AuditEntry
from tests.factories import ClientAdminFactory, DpoFactory
from usage.models import ReportSubscription
from usage.services.subscriptions import (
    report_subscription_cancel,
    report_subscription_create,
    report_subscription_update,
)

pytestmark = pytest.mark.django_db

LIST = "/console/usage/subscriptions/"
NEW = "/console/usage/subscriptions/new/"
QUERIES = 7


def subscribe(group, **fields):
    values = {
        "organisation": group.acme,
        "cadence": "weekly",
        "grouping": "user",
        "recipients": [group.ada, group.sam],
        "by": group.ada,
    }
    return report_subscription_create(**{**values, **fields})


def recipients_of(subscription) -> set:
    return {r.user for r in subscription.recipients.all()}


def test_a_client_admin_subscribes_their_organisation_for_themselves_and_a_group_company(group):
    subscription = subscribe(group)

    assert subscription.organisation == group.acme
    assert subscription.is_active
    assert recipients_of(subscription) == {group.ada, group.sam}
    entry = AuditEntry.objects.get(action="usage_report.subscribed")
    assert entry.actor == group.ada
    assert entry.details["recipients"] == sorted([group.ada.pk, group.sam.pk])


@pytest.mark.parametrize("who", ["member", "staff", "other_admin", "sister_admin"])
def test_only_a_client_admin_of_the_organisation_may_subscribe_it(group, who):
    by = {
        "member": group.ann,
        "staff": DpoFactory(),
        "other_admin": group.stan,
        "sister_admin": group.sam,  # may receive Acme's reports, not order them
    }[who]
    with pytest.raises(PermissionDenied):
        subscribe(group, by=by)
    assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize("who", ["member", "stranger_admin", "suspended_admin", "nobody"])
def test_a_recipient_must_be_allowed_to_receive_the_report(group, who):
    suspended = ClientAdminFactory(organisation=group.acme, status="suspended")
    recipients = {
        "member": [group.ada, group.ann],
        "stranger_admin": [group.stan],
        "suspended_admin": [suspended],
        "nobody": [],
    }[who]
    with pytest.raises(ValidationError) as refused:
        subscribe(group, recipients=recipients)
    assert "recipients" in refused.value.message_dict
    assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("cadence", "daily"), ("grouping", "ip_address")])
def test_an_unknown_cadence_or_grouping_is_refused(group, field, value):
    with pytest.raises(ValidationError) as refused:
        subscribe(group, **{field: value})
    assert field in refused.value.message_dict


def test_a_subscription_is_changed_and_cancelled_by_an_admin_of_its_organisation(group):
    subscription = subscribe(group)
    with pytest.raises(PermissionDenied):
        report_subscription_update(
            subscription=subscription,
            cadence="monthly",
            grouping="feature",
            recipients=[group.sam],
            by=group.stan,
        )

    report_subscription_update(
        subscription=subscription,
        cadence="weekly",
        grouping="feature",
        recipients=[group.alan],
        by=group.alan,
    )
    subscription.refresh_from_db()
    assert (subscription.cadence, subscription.grouping) == ("weekly", "feature")
    assert recipients_of(subscription) == {group.alan}
    assert AuditEntry.objects.filter(action="usage_report.subscription_changed").count() == 1

    with pytest.raises(PermissionDenied):
        report_subscription_cancel(subscription=subscription, by=group.sam)
    report_subscription_cancel(subscription=subscription, by=group.ada)
    report_subscription_cancel(subscription=subscription, by=group.ada)  # nothing more
    assert not subscription.is_active
    assert subscription.cancelled_by == group.ada
    assert AuditEntry.objects.filter(action="usage_report.subscription_cancelled").count() == 1
    with pytest.raises(ValidationError, match="cancelled"):
        report_subscription_update(
            subscription=subscription,
            cadence="weekly",
            grouping="user",
            recipients=[group.ada],
            by=group.ada,
        )


# --- The console pages ---------------------------------------------------------------------


def test_the_form_offers_as_checkboxes_exactly_the_people_allowed(group, verified_client):
    client = verified_client(group.ada)
    html = client.get(NEW).content.decode()

    for allowed in (group.ada, group.alan, group.sam):
        assert f'type="checkbox" name="recipients" value="{allowed.pk}"' in html
    for refused in (group.ann, group.stan):
        assert f'value="{refused.pk}"' not in html
    assert "Sam Sister" in html and "(Sister Ltd)" in html


def test_subscribing_in_the_console_lists_the_subscription(group, verified_client):
    client = verified_client(group.ada)
    response = client.post(
        NEW, {"cadence": "monthly", "grouping": "feature", "recipients": [group.sam.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == LIST
    subscription = ReportSubscription.objects.get()
    assert (subscription.cadence, subscription.created_by) == ("monthly", group.ada)
    page = client.get(LIST).content.decode()
    assert "Monthly (calendar month)" in page
    assert "Sam Sister" in page


def test_bad_input_in_the_console_is_a_form_error_and_stores_nothing(group, verified_client):
    client = verified_client(group.ada)
    response = client.post(
        NEW, {"cadence": "hourly", "grouping": "user", "recipients": [group.stan.pk]}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert not ReportSubscription.objects.exists()
    response = client.post(NEW, {"cadence": "weekly", "grouping": "user"})
    assert response.status_code == 400
    assert "Choose at least one person" in response.content.decode()


def test_subscribing_needs_the_csrf_token(group, verified_client):
    client = verified_client(group.ada, client=Client(enforce_csrf_checks=True))
    response = client.post(NEW, {"cadence": "weekly", "grouping": "user", "recipients": [1]})
    assert response.status_code == 403
    assert not ReportSubscription.objects.exists()


def test_editing_and_cancelling_in_the_console(group, verified_client):
    subscription = subscribe(group)
    client = verified_client(group.alan)
    edit = f"/console/usage/subscriptions/{subscription.pk}/"
    form = client.get(edit).content.decode()
    assert f'name="recipients" value="{group.sam.pk}"' in form
    assert form.count("checked") == 2  # Ada and Sam, as subscribed

    client.post(edit, {"cadence": "weekly", "grouping": "day", "recipients": [group.alan.pk]})
    subscription.refresh_from_db()
    assert subscription.grouping == "day"
    assert recipients_of(subscription) == {group.alan}

    client.post(f"{edit}cancel/")
    subscription.refresh_from_db()
    assert subscription.cancelled_by == group.alan
    assert "Cancelled" in client.get(LIST).content.decode()


def test_another_organisations_subscription_answers_404(group, verified_client):
    subscription = subscribe(group)
    client = verified_client(group.stan)
    edit = f"/console/usage/subscriptions/{subscription.pk}/"
    assert client.get(edit).status_code == 404
    assert client.post(f"{edit}cancel/").status_code == 404
    # Not even a group company's admin manages the parent's subscriptions.
    sister = verified_client(group.sam, client=Client())
    assert sister.get(edit).status_code == 404
    subscription.refresh_from_db()
    assert subscription.is_active


def test_members_and_unverified_admins_cannot_reach_the_pages(group, client, verified_client):
    client.force_login(group.ada)  # no second factor: sent to enrol one first
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/")
    member = verified_client(group.ann, client=Client())
    assert member.get(LIST).status_code == 403


def test_the_list_page_runs_a_fixed_number_of_queries(
    group, verified_client, django_assert_num_queries
):
    client = verified_client(group.ada)
    subscribe(group)
    subscribe(group, cadence="monthly", recipients=[group.alan, group.sam, group.ada])
    subscribe(group, grouping="day", by=group.alan)
    client.get(LIST)  # warm the per-process caches
    # The session, the user, their OTP device and their organisation (4); the subscriptions
    # with their creators, then their recipients with their users and organisations (2); the
    # deliveries the admin may open, with their organisations and subscriptions (1).
    with django_assert_num_queries(QUERIES):
        response = client.get(LIST)
    assert response.content.decode().count("Edit</a>") == 3


def test_a_new_cadence_is_a_new_subscription_and_the_old_one_keeps_its_history(group):
    weekly = subscribe(group)

    monthly = report_subscription_update(
        subscription=weekly,
        cadence="monthly",
        grouping="user",
        recipients=[group.ada],
        by=group.alan,
    )

    weekly.refresh_from_db()
    assert monthly.pk != weekly.pk
    assert (monthly.cadence, monthly.created_by) == ("monthly", group.alan)
    assert recipients_of(monthly) == {group.ada}
    assert not weekly.is_active
    assert weekly.cancelled_by == group.alan
    assert recipients_of(weekly) == {group.ada, group.sam}
