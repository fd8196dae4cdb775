import datetime
import threading

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from usage.models import DailyUsage, IngestedEventId, UsageEvent, UsagePurpose
from usage.services import BatchInvalid, uk_day_bounds, usage_events_ingest, usage_rollup_day

pytestmark = pytest.mark.django_db


def item(n, **extra):
    return {
        "event_id": f"evt-{n}",
        "occurred_at": (timezone.now() - datetime.timedelta(minutes=n)).isoformat(),
        "action": "report.run",
        "feature": "reports",
        **extra,
    }


def test_a_valid_batch_is_stored_and_a_retry_is_all_duplicates():
    org = OrganisationFactory()
    user = UserFactory(organisation=org, email="ann@example.test")
    batch = [item(1, user_id=user.pk), item(2, user_email="ANN@example.test"), item(3)]
    first = usage_events_ingest(organisation=org, items=batch)
    again = usage_events_ingest(organisation=org, items=batch)
    assert (first.stored, first.duplicates) == (3, 0)
    assert (again.stored, again.duplicates) == (0, 3)
    assert UsageEvent.objects.filter(organisation=org).count() == 3
    assert UsageEvent.objects.filter(user=user).count() == 2


def test_the_same_event_id_twice_in_one_batch_is_stored_once():
    org = OrganisationFactory()
    result = usage_events_ingest(organisation=org, items=[item(1), item(1)])
    assert (result.stored, result.duplicates) == (1, 1)


def test_event_ids_are_per_organisation():
    a, b = OrganisationFactory(), OrganisationFactory()
    usage_events_ingest(organisation=a, items=[item(1)])
    assert usage_events_ingest(organisation=b, items=[item(1)]).stored == 1


def test_one_bad_item_rejects_the_whole_batch_with_errors_by_index():
    org = OrganisationFactory()
    other_org_user = UserFactory()
    batch = [
        item(1),
        item(2, occurred_at="yesterday"),
        item(3, user_id=other_org_user.pk, colour="red"),
        item(4, duration_ms=-5, ip_address="999.1.1.1", purpose="nope"),
        "not an object",
    ]
    with pytest.raises(BatchInvalid) as caught:
        usage_events_ingest(organisation=org, items=batch)
    errors = caught.value.errors
    assert set(errors) == {"1", "2", "3", "4"}
    assert "occurred_at" in errors["1"]
    assert set(errors["2"]) == {"user_id", "colour"}
    assert set(errors["3"]) == {"duration_ms", "ip_address", "purpose"}
    assert UsageEvent.objects.count() == 0


def test_a_refused_batch_claims_no_id_so_its_corrected_retry_is_stored():
    org = OrganisationFactory()
    with pytest.raises(BatchInvalid):
        usage_events_ingest(organisation=org, items=[item(1), item(2, occurred_at="yesterday")])
    assert not IngestedEventId.objects.filter(organisation=org).exists()
    result = usage_events_ingest(organisation=org, items=[item(1), item(2)])
    assert (result.stored, result.duplicates) == (2, 0)


def test_a_batch_partly_sent_before_stores_only_its_new_events():
    org = OrganisationFactory()
    usage_events_ingest(organisation=org, items=[item(1), item(2)])
    result = usage_events_ingest(organisation=org, items=[item(2), item(3), item(3), item(4)])
    assert (result.stored, result.duplicates) == (2, 2)
    stored = sorted(UsageEvent.objects.filter(organisation=org).values_list("event_id", flat=True))
    assert stored == ["evt-1", "evt-2", "evt-3", "evt-4"]


def test_a_retry_holding_a_bad_item_is_refused_and_stores_nothing():
    org = OrganisationFactory()
    usage_events_ingest(organisation=org, items=[item(1)])
    with pytest.raises(BatchInvalid) as caught:
        usage_events_ingest(organisation=org, items=[item(1), item(2, duration_ms="long")])
    assert set(caught.value.errors) == {"1"}
    assert UsageEvent.objects.filter(organisation=org).count() == 1
    assert IngestedEventId.objects.filter(organisation=org).count() == 1


@pytest.mark.postgres
def test_without_pipeline_mode_the_claim_still_refuses_a_retry(requires_postgres, monkeypatch):
    """A libpq too old for pipeline mode: the claim runs before the check, same outcome."""
    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    org = OrganisationFactory()
    first = usage_events_ingest(organisation=org, items=[item(1), item(2)])
    again = usage_events_ingest(organisation=org, items=[item(2), item(3)])
    assert (first.stored, again.stored, again.duplicates) == (2, 1, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_new_batch_sent_twice_at_once_is_stored_once(requires_postgres):
    """The second sender's claim waits for the first to commit, then finds the ids taken."""
    org = OrganisationFactory()
    batch = [item(n) for n in range(300)]
    start = threading.Barrier(2)
    results, failures = [], []

    def send():
        try:
            start.wait()
            results.append(usage_events_ingest(organisation=org, items=batch))
        except Exception as error:  # the assertion below shows it
            failures.append(error)
        finally:
            connection.close()

    senders = [threading.Thread(target=send) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=30)

    assert failures == []
    assert sorted((r.stored, r.duplicates) for r in results) == [(0, 300), (300, 0)]
    assert UsageEvent.objects.filter(organisation=org).count() == 300


def test_the_query_string_of_a_path_is_dropped_and_purposes_are_checked():
    org = OrganisationFactory()
    UsagePurpose.objects.create(organisation=org, code="billing", label="Billing")
    usage_events_ingest(
        organisation=org, items=[item(1, path="/invoices?email=a@b.c", purpose="billing")]
    )
    event = UsageEvent.objects.get()
    assert (event.path, event.purpose) == ("/invoices", "billing")


def test_events_in_the_future_or_without_an_offset_are_refused():
    org = OrganisationFactory()
    later = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    with pytest.raises(BatchInvalid) as caught:
        usage_events_ingest(
            organisation=org,
            items=[item(1, occurred_at=later), item(2, occurred_at="2026-11-01T10:00")],
        )
    assert set(caught.value.errors) == {"0", "1"}


def test_uk_days_follow_the_clocks():
    start, end = uk_day_bounds(datetime.date(2026, 10, 25))  # clocks go back: 25 hours
    assert end - start == datetime.timedelta(hours=25)
    start, end = uk_day_bounds(datetime.date(2026, 7, 1))
    assert start == datetime.datetime(2026, 6, 30, 23, 0, tzinfo=datetime.UTC)


def _event(org, user, when, feature="reports", duration=100):
    UsageEvent.objects.create(
        occurred_at=when,
        organisation=org,
        user=user,
        action="x",
        feature=feature,
        duration_ms=duration,
    )


def test_a_rollup_counts_a_uk_day_and_rerunning_it_gives_the_same_rows():
    org = OrganisationFactory()
    ann, bob = UserFactory(organisation=org), UserFactory(organisation=org)
    day = datetime.date(2026, 7, 1)
    utc = datetime.UTC
    _event(org, ann, datetime.datetime(2026, 6, 30, 23, 30, tzinfo=utc))  # 00:30 UK time
    _event(org, ann, datetime.datetime(2026, 7, 1, 12, 0, tzinfo=utc), duration=300)
    _event(org, bob, datetime.datetime(2026, 7, 1, 13, 0, tzinfo=utc), feature="export")
    _event(org, bob, datetime.datetime(2026, 7, 1, 23, 30, tzinfo=utc))  # next UK day

    def snapshot():
        return sorted(
            DailyUsage.objects.filter(date=day).values_list(
                "user_id", "feature", "event_count", "total_duration_ms"
            )
        )

    assert usage_rollup_day(day=day) == 2
    first = snapshot()
    usage_rollup_day(day=day)
    assert snapshot() == first == sorted([(ann.pk, "reports", 2, 400), (bob.pk, "export", 1, 100)])
