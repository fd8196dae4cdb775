import datetime

import pytest
from django.utils import timezone

from accounts.models import PurposeObjection
from datamap.purposes import Purpose
from tests.factories import OrganisationFactory, UserFactory
from usage.models import DailyUserUsage, UsageEvent
from usage.selectors import usage_aggregates, usage_report
from usage.services import usage_rollup_day

pytestmark = pytest.mark.django_db

D1, D2, D3 = datetime.date(2026, 11, 2), datetime.date(2026, 11, 3), datetime.date(2026, 11, 4)


def rollup(org, user, date, feature, events, duration_ms, purpose=""):
    """Record ``events`` events of a day (one carrying all the duration), then roll the day up."""
    moment = timezone.make_aware(datetime.datetime.combine(date, datetime.time(9)))
    UsageEvent.objects.bulk_create(
        UsageEvent(
            occurred_at=moment,
            organisation=org,
            user=user,
            action="page_view",
            feature=feature,
            purpose=purpose,
            duration_ms=duration_ms if n == 0 else 0,
        )
        for n in range(events)
    )
    usage_rollup_day(day=date)


@pytest.fixture
def acme():
    """GIVEN Acme with Ann and Bob, two days of use, and another organisation's noise."""
    org = OrganisationFactory(name="Acme")
    ann = UserFactory(organisation=org, full_name="Ann Able", email="ann@acme.test")
    bob = UserFactory(organisation=org, full_name="Bob Baker", email="bob@acme.test")
    rollup(org, ann, D1, "reports", 10, 60_000, "analysis")
    rollup(org, ann, D2, "export", 2, 5_000, "analysis")
    rollup(org, bob, D2, "reports", 4, 30_000)
    rollup(org, bob, D3, "reports", 100, 1, "analysis")  # outside the range asked for
    rollup(OrganisationFactory(), UserFactory(), D1, "reports", 9, 999)
    return org, ann, bob


def test_a_report_by_user_matches_the_hand_computed_totals(acme, django_assert_num_queries):
    org, ann, bob = acme
    # The rows grouped by person, the daily series, and the people's names.
    with django_assert_num_queries(3):
        report = usage_report(organisation=org, start=D1, end=D2, group_by="user")
    assert [
        (row.label, row.email, row.events, row.duration_ms, row.active_days) for row in report.rows
    ] == [
        ("Ann Able", "ann@acme.test", 12, 65_000, 2),
        ("Bob Baker", "bob@acme.test", 4, 30_000, 1),
    ]
    assert report.total_events == 16
    assert report.series == [(D1, 10), (D2, 6)]
    assert report.user_ids == sorted([ann.pk, bob.pk])


def test_reports_by_feature_purpose_and_day(acme):
    org, _, _ = acme
    by_feature = usage_report(organisation=org, start=D1, end=D3, group_by="feature")
    # users counts active user-days: Ann on the 2nd, Bob on the 3rd and 4th.
    assert [(r.label, r.key, r.events, r.users) for r in by_feature.rows] == [
        ("Reports", "reports", 114, 3),
        ("Export", "export", 2, 1),
    ]
    by_purpose = usage_report(organisation=org, start=D1, end=D3, group_by="purpose")
    # No purpose configured for "analysis" here: its code is still shown as a word.
    assert {r.label: r.events for r in by_purpose.rows} == {"Analysis": 112, "No purpose set": 4}
    by_day = usage_report(organisation=org, start=D1, end=D3, group_by="day")
    # Most active first, each day in words.
    assert [(r.label, r.key, r.events) for r in by_day.rows] == [
        ("4 Nov 2026", "2026-11-04", 100),
        ("2 Nov 2026", "2026-11-02", 10),
        ("3 Nov 2026", "2026-11-03", 6),
    ]


def test_a_restricted_user_or_an_upheld_objection_is_left_out(acme):
    org, ann, bob = acme
    ann.processing_restricted_at = timezone.now()
    ann.save()
    report = usage_report(organisation=org, start=D1, end=D2, group_by="user")
    assert [row.label for row in report.rows] == ["Bob Baker"]
    assert report.user_ids == [bob.pk]
    PurposeObjection.objects.create(user=bob, purpose=Purpose.USAGE)
    assert usage_report(organisation=org, start=D1, end=D2, group_by="feature").rows == []


def test_an_erased_user_shows_as_a_former_user(acme):
    org, ann, _ = acme
    DailyUserUsage.objects.filter(user=ann).update(user=None)  # as erasure does
    report = usage_report(organisation=org, start=D1, end=D2, group_by="user")
    assert "Former user (erased)" in [row.label for row in report.rows]


def test_aggregates_suppress_features_used_by_fewer_than_five_people():
    orgs = [OrganisationFactory() for _ in range(2)]
    for n in range(6):
        rollup(orgs[n % 2], UserFactory(organisation=orgs[n % 2]), D1, "reports", 3, 3_600_000)
    for _ in range(4):
        rollup(orgs[0], UserFactory(organisation=orgs[0]), D1, "rare", 50, 1000)
    rows = {row.feature: row for row in usage_aggregates(start=D1, end=D1)}
    assert (rows["reports"].organisations, rows["reports"].users, rows["reports"].events) == (
        2,
        6,
        18,
    )
    assert rows["reports"].hours == 6.0
    assert rows["rare"].suppressed
    assert (rows["reports"].label, rows["rare"].label) == ("Reports", "Rare")
    assert rows["rare"].events is None
