"""Beat builds each subscription's closed period once from the rollups and e-mails each allowed
recipient a link (never the figures); each delivery is a disclosure to each recipient
organisation; opening it is not another one; only those it concerns may open it."""

import datetime

import pytest
import time_machine
from celery import current_app
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.services.group_companies import group_company_end
from accounts.services.users import user_suspend
from audit.models import AuditEntry
from records.models import Disclosure
from tests.factories import OrganisationFactory
from tests.usage.conftest import used_on
from usage.demo import reports_demo_seed
from usage.models import ReportDelivery, ReportDeliveryRecipient
from usage.periods import Period
from usage.services.subscriptions import (
    report_deliveries_due,
    report_delivery_build,
    report_subscription_cancel,
    report_subscription_create,
)
from usage.tasks import deliver_usage_reports

pytestmark = pytest.mark.django_db

D = datetime.date
UTC = datetime.UTC
BEFORE = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
AFTER_THE_WEEK = datetime.datetime(2026, 12, 7, 0, 35, tzinfo=UTC)  # Monday, 00:35 UK
WEEK = Period(D(2026, 11, 30), D(2026, 12, 6))
EVENTS = 17


@pytest.fixture
def weekly(group):
    """GIVEN Acme's weekly report by user to Ada and to Sam of its group company, set up the
    week before, and Ann's use during the week that then closes."""
    with time_machine.travel(BEFORE, tick=False):
        subscription = report_subscription_create(
            organisation=group.acme,
            cadence="weekly",
            grouping="user",
            recipients=[group.ada, group.sam],
            by=group.ada,
        )
    used_on(group.ann, D(2026, 12, 2), events=EVENTS)
    used_on(group.stan, D(2026, 12, 2), events=5)  # another client's usage: never in it
    return subscription


def run_beat(at=AFTER_THE_WEEK, *, capture) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return deliver_usage_reports.delay().get()


def test_a_closed_week_is_delivered_once_however_often_the_task_runs(
    group, weekly, mailoutbox, django_capture_on_commit_callbacks
):
    assert run_beat(capture=django_capture_on_commit_callbacks) == 1
    assert run_beat(capture=django_capture_on_commit_callbacks) == 0
    later = AFTER_THE_WEEK + datetime.timedelta(hours=5)
    assert run_beat(later, capture=django_capture_on_commit_callbacks) == 0
    # Even a direct second build of the same period finds the delivery and does nothing.
    _, built = report_delivery_build(subscription=weekly, period=WEEK)
    assert not built

    delivery = ReportDelivery.objects.get()
    assert (delivery.period_start, delivery.period_end) == (WEEK.start, WEEK.end)
    assert delivery.figures["totals"]["events"] == EVENTS
    assert [row["key"] for row in delivery.figures["rows"]] == [str(group.ann.pk)]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([group.ada.email, group.sam.email])
    assert Disclosure.objects.count() == 2
    assert AuditEntry.objects.filter(action="usage_report.delivered").count() == 1


def test_the_email_holds_a_link_to_the_console_and_no_figures(
    group, weekly, mailoutbox, django_capture_on_commit_callbacks
):
    run_beat(capture=django_capture_on_commit_callbacks)
    delivery = ReportDelivery.objects.get()

    [mail] = [m for m in mailoutbox if m.to == [group.ada.email]]
    assert mail.subject == "Your scheduled usage report is ready"
    assert f"{settings.SITE_URL}/console/usage/reports/{delivery.pk}/" in mail.body
    assert "30 Nov 2026 to 6 Dec 2026" in mail.body
    for figure in ("Ann Able", group.ann.email, str(EVENTS), "minutes"):
        assert figure not in mail.body
    recipient = ReportDeliveryRecipient.objects.get(delivery=delivery, user=group.ada)
    assert recipient.emailed_at == AFTER_THE_WEEK
    assert recipient.first_opened_at is None


def test_recipients_who_lost_the_entitlement_since_subscribing_get_nothing(
    group, weekly, mailoutbox, django_capture_on_commit_callbacks, verified_client
):
    entitlement = group.acme.group_companies.get(member=group.sister)
    group_company_end(entitlement=entitlement, by=entitlement.recorded_by)
    weekly.recipients.create(user=group.alan)
    user_suspend(user=group.alan, reason="Left the company", by=group.ada)

    run_beat(capture=django_capture_on_commit_callbacks)

    delivery = ReportDelivery.objects.get()
    assert [r.user for r in delivery.recipients.all()] == [group.ada]
    assert [m.to for m in mailoutbox] == [[group.ada.email]]
    [disclosure] = Disclosure.objects.all()
    assert disclosure.organisation == group.acme
    # Sam, no longer a recipient, cannot open it either.
    sam = verified_client(group.sam)
    assert sam.get(f"/console/usage/reports/{delivery.pk}/").status_code == 404


def test_a_delivery_is_one_disclosure_per_recipient_organisation_and_opening_adds_none(
    group, weekly, django_capture_on_commit_callbacks, verified_client
):
    run_beat(capture=django_capture_on_commit_callbacks)
    delivery = ReportDelivery.objects.get()
    by_recipient = {d.organisation: d for d in Disclosure.objects.all()}
    assert set(by_recipient) == {group.acme, group.sister}
    sister = by_recipient[group.sister]
    assert sister.recipient == "Sister Ltd (group company of Acme Ltd)"
    assert sister.recipient_type == Disclosure.RecipientType.CLIENT
    assert sister.description.startswith("Scheduled weekly usage report of Acme Ltd ")
    assert set(sister.subjects.values_list("user_id", flat=True)) == {group.ann.pk}

    page = f"/console/usage/reports/{delivery.pk}/"
    ada = verified_client(group.ada)
    response = ada.get(page)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="row">Ann Able</th><td>ann@acme.test</td>' in html
    assert "<svg" in html and f">{EVENTS}<" in html
    opened = ReportDeliveryRecipient.objects.get(delivery=delivery, user=group.ada)
    first = opened.first_opened_at
    assert first is not None
    ada.get(page)

    assert Disclosure.objects.count() == 2
    opened.refresh_from_db()
    assert opened.first_opened_at == first  # the first opening only


def test_a_group_companys_admin_opens_exactly_the_deliveries_addressed_to_them(
    group, weekly, django_capture_on_commit_callbacks, verified_client
):
    with time_machine.travel(BEFORE, tick=False):
        not_for_sam = report_subscription_create(
            organisation=group.acme,
            cadence="weekly",
            grouping="feature",
            recipients=[group.alan],
            by=group.ada,
        )
    run_beat(capture=django_capture_on_commit_callbacks)
    theirs = ReportDelivery.objects.get(subscription=weekly)
    other = ReportDelivery.objects.get(subscription=not_for_sam)

    sam = verified_client(group.sam, client=Client())
    assert sam.get(f"/console/usage/reports/{theirs.pk}/").status_code == 200
    assert sam.get(f"/console/usage/reports/{other.pk}/").status_code == 404
    listed = sam.get("/console/usage/subscriptions/").content.decode()
    assert f"/console/usage/reports/{theirs.pk}/" in listed
    assert f"/console/usage/reports/{other.pk}/" not in listed
    assert "Edit</a>" not in listed  # Sister has no subscription of its own

    stan = verified_client(group.stan, client=Client())
    for delivery in (theirs, other):
        assert stan.get(f"/console/usage/reports/{delivery.pk}/").status_code == 404
    # Acme's own admins open every delivery of Acme, addressed to them or not.
    alan = verified_client(group.alan, client=Client())
    assert alan.get(f"/console/usage/reports/{theirs.pk}/").status_code == 200
    member = verified_client(group.ann, client=Client())
    assert member.get(f"/console/usage/reports/{theirs.pk}/").status_code == 403

    # Once Acme no longer names Sister, Sam loses even the reports once addressed to him.
    entitlement = group.acme.group_companies.get(member=group.sister)
    group_company_end(entitlement=entitlement, by=entitlement.recorded_by)
    assert sam.get(f"/console/usage/reports/{theirs.pk}/").status_code == 404


def test_the_delivered_figures_stay_as_sent_when_late_usage_is_rolled_up(
    group, weekly, django_capture_on_commit_callbacks, verified_client
):
    run_beat(capture=django_capture_on_commit_callbacks)
    used_on(group.ann, D(2026, 12, 3), events=100)

    delivery = ReportDelivery.objects.get()
    html = verified_client(group.ada).get(f"/console/usage/reports/{delivery.pk}/").content
    assert f">{EVENTS}<".encode() in html
    assert b">117<" not in html


def test_nothing_is_owed_for_a_period_that_closed_before_subscribing_or_once_cancelled(
    group, django_capture_on_commit_callbacks
):
    with time_machine.travel(AFTER_THE_WEEK + datetime.timedelta(days=1), tick=False):
        late = report_subscription_create(
            organisation=group.acme,
            cadence="weekly",
            grouping="day",
            recipients=[group.ada],
            by=group.ada,
        )
    with time_machine.travel(BEFORE, tick=False):
        cancelled = report_subscription_create(
            organisation=group.acme,
            cadence="monthly",
            grouping="day",
            recipients=[group.ada],
            by=group.ada,
        )
        report_subscription_cancel(subscription=cancelled, by=group.ada)

    assert report_deliveries_due(AFTER_THE_WEEK + datetime.timedelta(days=2)) == []
    # The next week is owed to the late one.
    next_week = AFTER_THE_WEEK + datetime.timedelta(days=7)
    assert [(s, p.start) for s, p in report_deliveries_due(next_week)] == [(late, D(2026, 12, 7))]


def test_a_monthly_report_covers_the_calendar_month_after_it_closes(
    group, django_capture_on_commit_callbacks
):
    with time_machine.travel(BEFORE, tick=False):
        monthly = report_subscription_create(
            organisation=group.acme,
            cadence="monthly",
            grouping="day",
            recipients=[group.ada],
            by=group.ada,
        )
    used_on(group.ann, D(2026, 11, 30), events=4)
    used_on(group.ann, D(2026, 12, 1), events=50)  # December: not in November's report

    before_close = datetime.datetime(2026, 11, 30, 23, 35, tzinfo=UTC)  # still 30 Nov in the UK
    assert run_beat(before_close, capture=django_capture_on_commit_callbacks) == 0
    assert (
        run_beat(
            datetime.datetime(2026, 12, 1, 0, 35, tzinfo=UTC),
            capture=django_capture_on_commit_callbacks,
        )
        == 1
    )
    delivery = ReportDelivery.objects.get(subscription=monthly)
    assert (delivery.period_start, delivery.period_end) == (D(2026, 11, 1), D(2026, 11, 30))
    assert delivery.figures["totals"]["events"] == 4
    assert len(delivery.figures["daily"]) == 30


def test_the_beat_entries_are_hourly_registered_and_expire_before_the_next_run():
    for name, task, minute in (
        ("usage-deliver-reports", "usage.tasks.deliver_usage_reports", {35}),
        ("usage-delete-expired-exports", "usage.tasks.delete_expired_usage_exports", {50}),
    ):
        entry = settings.CELERY_BEAT_SCHEDULE[name]
        assert entry["task"] == task
        assert task in current_app.tasks
        assert entry["schedule"].minute == minute
        assert entry["schedule"].hour == set(range(24))
        assert entry["options"]["expires"] < 60 * 60


def test_the_demo_seeds_a_weekly_report_with_last_week_delivered_once(group):
    used_on(group.ann, timezone.localdate() - datetime.timedelta(days=7))

    subscription = reports_demo_seed(organisation=group.acme)

    assert reports_demo_seed(organisation=group.acme) is None
    assert [r.user for r in subscription.recipients.all()] == [group.ada]
    [delivery] = subscription.deliveries.all()
    assert delivery.period_end < timezone.localdate()
    assert delivery.period_end.weekday() == 6  # a Sunday
    assert reports_demo_seed(organisation=OrganisationFactory()) is None  # no admin to send to


def test_a_delivered_report_shows_the_live_reports_table_sorted_and_in_words(
    group, django_capture_on_commit_callbacks, verified_client
):
    """GIVEN a weekly report by feature delivered before features had labels (its stored rows
    carry the codes) WHEN Ada opens it and sorts it THEN it reads as the live report does."""
    with time_machine.travel(BEFORE, tick=False):
        report_subscription_create(
            organisation=group.acme,
            cadence="weekly",
            grouping="feature",
            recipients=[group.ada],
            by=group.ada,
        )
    used_on(group.ann, D(2026, 12, 2), events=4, feature="user_settings")
    used_on(group.ann, D(2026, 12, 3), events=65, feature="reports")
    run_beat(capture=django_capture_on_commit_callbacks)
    delivery = ReportDelivery.objects.get()
    delivery.figures["rows"] = [{**row, "label": row["key"]} for row in delivery.figures["rows"]]
    delivery.save()

    ada = verified_client(group.ada)
    html = ada.get(f"/console/usage/reports/{delivery.pk}/").content.decode()
    rows = html.split("<tbody>")[1]
    assert rows.index(">Reports<") < rows.index(">User settings<")  # most active first
    assert "user_settings" not in html
    assert "1 h 05 min" in html  # 65 events of a minute each
    assert "Most used features" in html

    html = ada.get(f"/console/usage/reports/{delivery.pk}/?sort=feature").content.decode()
    rows = html.split("<tbody>")[1]
    assert rows.index(">User settings<") > rows.index(">Reports<")
    html = ada.get(f"/console/usage/reports/{delivery.pk}/?sort=-feature").content.decode()
    rows = html.split("<tbody>")[1]
    assert rows.index(">User settings<") < rows.index(">Reports<")
    assert 'aria-sort="descending"' in html
