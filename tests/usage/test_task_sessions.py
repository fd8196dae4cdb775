"""Task sessions derived from the usage events with the day's rollup (idle gap 10 minutes,
shortest task 30 seconds, the defaults)."""

import datetime

import pytest

from tests.factories import OrganisationFactory, UserFactory
from usage.days import LONDON
from usage.models import TaskSession, UsageEvent
from usage.services import usage_rollup_day

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)
NINE = datetime.datetime.combine(DAY, datetime.time(9), tzinfo=LONDON)


def at(minutes: float) -> datetime.datetime:
    return NINE + datetime.timedelta(minutes=minutes)


def events(user, *timeline, action="page_view"):
    """Events of ``user``: each item (minutes after nine, feature) or (minutes, feature, action)."""
    UsageEvent.objects.bulk_create(
        UsageEvent(
            occurred_at=at(item[0]),
            organisation_id=user.organisation_id,
            user=user,
            feature=item[1],
            action=item[2] if len(item) > 2 else action,
            duration_ms=120,
        )
        for item in timeline
    )


def tasks(user=None):
    """(feature, events, seconds, downloads and exports) of the day's tasks, in time order."""
    usage_rollup_day(day=DAY)
    found = TaskSession.objects.filter(date=DAY).order_by("started_at", "pk")
    if user is not None:
        found = found.filter(user=user)
    return [
        (task.feature, task.event_count, task.duration_ms / 1000, task.gathered) for task in found
    ]


@pytest.fixture
def ann():
    return UserFactory(organisation=OrganisationFactory(), full_name="Ann Able")


def test_events_of_one_feature_within_the_idle_gap_make_one_task_lasting_first_to_last(ann):
    events(ann, (0, "reports"), (4, "reports"), (9.5, "reports"))
    assert tasks() == [("reports", 3, 570.0, 0)]
    assert TaskSession.objects.get().started_at == at(0)


def test_a_gap_of_exactly_the_idle_gap_continues_the_task_and_one_second_more_ends_it(ann):
    events(ann, (0, "reports"), (10, "reports"), (20 + 1 / 60, "reports"))
    assert tasks() == [("reports", 2, 600.0, 0), ("reports", 1, 30.0, 0)]


def test_the_idle_gap_is_a_setting(ann, settings):
    settings.USAGE_TASK_IDLE_MINUTES = 3
    events(ann, (0, "reports"), (4, "reports"))
    assert [task[1] for task in tasks()] == [1, 1]


def test_another_feature_ends_a_task_even_within_the_gap(ann):
    events(ann, (0, "reports"), (1, "reports"), (2, "search"), (3, "reports"))
    assert tasks() == [
        ("reports", 2, 60.0, 0),
        ("search", 1, 30.0, 0),
        ("reports", 1, 30.0, 0),
    ]


def test_a_single_event_is_a_task_of_the_minimum_length(ann, settings):
    events(ann, (0, "reports"))
    assert tasks() == [("reports", 1, 30.0, 0)]
    settings.USAGE_TASK_MINIMUM_SECONDS = 5
    events(ann, (0.05, "reports"))  # three seconds later: one task of two events
    assert tasks() == [("reports", 2, 5.0, 0)]


def test_two_people_interleaved_keep_their_own_tasks(ann):
    bob = UserFactory(organisation=ann.organisation, full_name="Bob Baker")
    events(ann, (0, "reports"), (2, "reports"), (4, "reports"))
    events(bob, (1, "search"), (3, "reports"), (5, "reports"))
    assert tasks(ann) == [("reports", 3, 240.0, 0)]
    assert tasks(bob) == [("search", 1, 30.0, 0), ("reports", 2, 120.0, 0)]


def test_logging_in_and_out_neither_makes_a_task_nor_ends_one(ann):
    events(ann, (0, "", "login"), (1, "reports"), (2, "", "logout"), (3, "reports"))
    assert tasks() == [("reports", 2, 120.0, 0)]


def test_events_without_a_person_make_no_task(ann):
    UsageEvent.objects.create(
        occurred_at=at(0), organisation_id=ann.organisation_id, action="api_call", feature="api"
    )
    assert tasks() == []


def test_downloads_and_exports_are_counted_as_information_gathered(ann):
    events(
        ann,
        (0, "reports"),
        (1, "reports", "export"),
        (2, "reports", "Download"),
        (3, "usage:exports"),
        (4, "usage:export-download"),
        (5, "usage:organisation-export"),
    )
    assert tasks() == [
        ("reports", 3, 120.0, 2),
        ("usage:exports", 1, 30.0, 0),
        ("usage:export-download", 1, 30.0, 1),
        ("usage:organisation-export", 1, 30.0, 1),
    ]


def test_tasks_stop_at_uk_midnight_and_a_rerun_changes_nothing(ann):
    late = datetime.datetime.combine(DAY, datetime.time(23, 58), tzinfo=LONDON)
    UsageEvent.objects.bulk_create(
        UsageEvent(
            occurred_at=late + datetime.timedelta(minutes=n),
            organisation_id=ann.organisation_id,
            user=ann,
            action="page_view",
            feature="reports",
        )
        for n in range(4)
    )
    assert tasks() == [("reports", 2, 60.0, 0)]
    assert tasks() == [("reports", 2, 60.0, 0)]
    usage_rollup_day(day=DAY + datetime.timedelta(days=1))
    assert TaskSession.objects.filter(date=DAY + datetime.timedelta(days=1)).count() == 1


def test_a_rollup_of_one_organisation_leaves_the_others_tasks_alone(ann):
    bob = UserFactory(organisation=OrganisationFactory(), full_name="Bob Baker")
    events(ann, (0, "reports"))
    events(bob, (0, "reports"))
    usage_rollup_day(day=DAY)
    UsageEvent.objects.filter(user=bob).delete()
    usage_rollup_day(day=DAY, organisation_id=ann.organisation_id)
    assert TaskSession.objects.filter(user=bob).count() == 1
