"""Delivered reports and exports are in the data map and the "usage_reports" retention
category: found for a subject, erased as the map says, purged 365 days after delivery."""

import datetime

import pytest
import time_machine

from datamap import Subject, registry
from datamap.engines import erase_subject, export_subject
from retention.models import LegalHold, RetentionPolicy
from retention.services.purge import purge_category
from tests.factories import DpoFactory
from usage.models import (
    ReportDelivery,
    ReportDeliveryRecipient,
    ReportDeliverySubject,
    ReportSubscription,
    UsageExport,
)
from usage.services.export_files import usage_exports_delete_expired
from usage.services.subscriptions import report_subscription_create

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 6, 15, 12, 0, tzinfo=datetime.UTC)
OLD = NOW - datetime.timedelta(days=366)
FRESH = NOW - datetime.timedelta(days=30)


def delivered(subscription, built_at, *, subjects, recipients):
    day = built_at.date()
    delivery = ReportDelivery.objects.create(
        subscription=subscription,
        organisation=subscription.organisation,
        period_start=day - datetime.timedelta(days=7),
        period_end=day - datetime.timedelta(days=1),
        grouping=subscription.grouping,
        built_at=built_at,
        figures={"rows": [], "daily": [], "totals": {"events": 0, "duration_ms": 0}},
    )
    for user in subjects:
        ReportDeliverySubject.objects.create(delivery=delivery, user=user)
    for user in recipients:
        ReportDeliveryRecipient.objects.create(delivery=delivery, user=user, emailed_at=built_at)
    return delivery


@pytest.fixture
def history(group):
    """GIVEN a subscription cancelled over a year ago and an active one, with deliveries and
    exports older and younger than 365 days."""
    with time_machine.travel(OLD - datetime.timedelta(days=60), tick=False):
        gone = report_subscription_create(
            organisation=group.acme,
            cadence="weekly",
            grouping="user",
            recipients=[group.ada],
            by=group.ada,
        )
        active = report_subscription_create(
            organisation=group.acme,
            cadence="monthly",
            grouping="user",
            recipients=[group.ada, group.sam],
            by=group.ada,
        )
    ReportSubscription.objects.filter(pk=gone.pk).update(cancelled_at=OLD)
    people = {"subjects": [group.ann], "recipients": [group.ada, group.sam]}
    old = [delivered(gone, OLD - datetime.timedelta(days=7), **people)]
    old.append(delivered(active, OLD, **people))
    fresh = delivered(active, FRESH, **people)
    exports = {
        when: UsageExport.objects.create(
            organisation=group.acme,
            requested_by=group.ada,
            requested_at=when,
            start=when.date(),
            end=when.date(),
            grouping="user",
            status="expired",
        )
        for when in (OLD, FRESH)
    }
    return gone, active, old, fresh, exports


def test_the_category_has_its_default_policy_of_365_days():
    policy = RetentionPolicy.objects.get(category="usage_reports")
    assert (policy.basis, policy.days, policy.action) == ("event", 365, "delete")
    assert "a year from the delivery" in policy.rationale


def test_old_deliveries_exports_and_cancelled_subscriptions_are_purged_fresh_ones_kept(
    group, history
):
    gone, active, old, fresh, exports = history

    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="usage_reports")
        again = purge_category(category="usage_reports")

    assert run.status == "succeeded"
    assert not ReportSubscription.objects.filter(pk=gone.pk).exists()
    assert list(ReportDelivery.objects.all()) == [fresh]
    assert ReportDeliverySubject.objects.filter(delivery__in=old).count() == 0
    assert set(ReportDeliveryRecipient.objects.values_list("delivery_id", flat=True)) == {fresh.pk}
    assert list(UsageExport.objects.all()) == [exports[FRESH]]
    assert ReportSubscription.objects.get(pk=active.pk).recipients.count() == 2
    assert run.counts["usage.report_deliveries"]["deleted"] == 2
    assert run.counts["usage.exports"]["deleted"] == 1
    assert sum(n for entry in again.counts.values() for n in entry.values()) == 0


def test_a_legal_hold_on_the_organisation_keeps_its_reports(group, history):
    LegalHold.objects.create(
        organisation=group.acme, reason="Claim", placed_by=DpoFactory(), placed_at=OLD
    )
    with time_machine.travel(NOW, tick=False):
        purge_category(category="usage_reports")
    assert ReportDelivery.objects.count() == 3
    assert UsageExport.objects.count() == 2


def test_a_persons_reports_are_in_their_access_export_and_erasure_unlinks_them(group, history):
    sections = {s.entry.name: s.rows for s in export_subject(Subject.of(user_ids=[group.ann.pk]))}
    assert len(sections["usage.report_deliveries"]) == 3
    admin = {s.entry.name: s.rows for s in export_subject(Subject.of(user_ids=[group.ada.pk]))}
    assert len(admin["usage.report_delivery_recipients"]) == 3
    assert len(admin["usage.exports"]) == 2
    assert len(admin["usage.report_subscriptions"]) == 2

    erase_subject(Subject.of(user_ids=[group.ann.pk]))

    assert not ReportDeliverySubject.objects.filter(user=group.ann).exists()
    assert ReportDelivery.objects.count() == 3  # kept: the record of a disclosure made
    assert (
        registry.entry("usage.report_deliveries")
        .rows_of(Subject.of(user_ids=[group.ann.pk]))
        .count()
        == 0
    )


def test_an_export_file_left_by_a_missed_run_is_deleted_by_the_next_one(
    group, export_files, export_of
):
    export = export_of(group.ada)
    assert len(export_files()) == 1
    with time_machine.travel(export.expires_at + datetime.timedelta(days=3), tick=False):
        assert usage_exports_delete_expired() == 1
    assert export_files() == []
