"""Late usage: a write marks the past days it touched, the re-roll after commit brings them
into the reports, and `rollup_usage --from --to` repairs a range."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import UserFactory, api_key_for
from usage import buffer
from usage.days import uk_day_bounds
from usage.events import events_write
from usage.models import DailyUsage, DailyUserUsage, UsageDayTouched
from usage.services import usage_touched_days_rollup
from usage.tasks import rollup_usage

pytestmark = pytest.mark.django_db


def _thirty_days_ago() -> tuple[datetime.date, datetime.datetime]:
    day = timezone.localdate() - datetime.timedelta(days=30)
    return day, uk_day_bounds(day)[0] + datetime.timedelta(hours=12)


def _report_events(client, plain_key, day) -> int:
    response = client.get(
        f"/api/v1/usage/report/?start={day}&end={day}&group_by=user",
        HTTP_AUTHORIZATION=f"Api-Key {plain_key}",
    )
    assert response.status_code == 200
    return response.json()["totals"]["events"]


def _rollups(day) -> list[tuple]:
    return sorted(
        DailyUsage.objects.filter(date=day).values_list(
            "organisation_id", "user_id", "feature", "event_count", "first_seen"
        )
    )


def test_an_event_a_month_late_through_the_api_reaches_the_report_after_commit(
    client, requires_postgres, django_capture_on_commit_callbacks
):
    user = UserFactory()
    _, write_key = api_key_for(user.organisation, scopes=["usage:write"])
    _, read_key = api_key_for(user.organisation, scopes=["usage:read"])
    day, moment = _thirty_days_ago()
    body = [
        {
            "event_id": f"late-{i}",
            "occurred_at": moment.isoformat(),
            "action": "x",
            "user_id": user.pk,
            "feature": "reports",
        }
        for i in range(3)
    ] + [{"event_id": "now", "occurred_at": timezone.now().isoformat(), "action": "x"}]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/api/v1/usage/events/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {write_key}",
        )
    assert response.status_code == 201

    # The re-roll queued on commit ran (eagerly here), for that day only, and took its mark.
    assert len(callbacks) == 1
    assert not UsageDayTouched.objects.exists()
    assert _report_events(client, read_key, day) == 3
    assert not DailyUsage.objects.filter(date=timezone.localdate()).exists()  # today: beat's


def test_an_event_a_month_late_through_the_redis_drain_reaches_the_report(
    client, redis_url, settings, requires_postgres
):
    settings.USAGE_BUFFER = "redis"
    user = UserFactory()
    _, read_key = api_key_for(user.organisation, scopes=["usage:read"])
    day, moment = _thirty_days_ago()
    buffer.buffer_push(
        [
            {
                "occurred_at": moment,
                "organisation_id": user.organisation_id,
                "user_id": user.pk,
                "action": "page_view",
            }
        ]
    )
    assert buffer.buffer_drain() == 1
    assert list(UsageDayTouched.objects.values_list("organisation_id", "day")) == [
        (user.organisation_id, day)
    ]
    assert _report_events(client, read_key, day) == 0  # not yet re-rolled

    # The scheduled rollup picks up the mark too, should the queued re-roll have been lost.
    assert rollup_usage.delay().get()["touched_days"] == 1
    assert _report_events(client, read_key, day) == 1
    assert not UsageDayTouched.objects.exists()


def test_re_rolling_twice_changes_nothing_and_leaves_other_organisations_alone(
    requires_postgres,
):
    late, other = UserFactory(), UserFactory()
    day, moment = _thirty_days_ago()
    events_write(
        [
            {
                "occurred_at": moment,
                "organisation_id": u.organisation_id,
                "user_id": u.pk,
                "action": "x",
            }
            for u in (late, other)
        ]
    )
    UsageDayTouched.objects.filter(organisation_id=other.organisation_id).delete()

    assert usage_touched_days_rollup() == 1
    first = _rollups(day)
    assert [row[0] for row in first] == [late.organisation_id]  # only the marked organisation
    UsageDayTouched.objects.create(organisation_id=late.organisation_id, day=day)
    assert usage_touched_days_rollup() == 1
    assert _rollups(day) == first
    assert usage_touched_days_rollup() == 0


def test_todays_events_leave_no_mark(requires_postgres):
    user = UserFactory()
    events_write(
        [{"occurred_at": timezone.now(), "organisation_id": user.organisation_id, "action": "x"}]
    )
    assert not UsageDayTouched.objects.exists()


def test_the_command_re_rolls_a_range_with_a_progress_bar(requires_postgres, capsys):
    user = UserFactory()
    day, moment = _thirty_days_ago()
    events_write(
        [
            {
                "occurred_at": moment,
                "organisation_id": user.organisation_id,
                "user_id": user.pk,
                "action": "x",
            }
        ]
    )
    start, end = day - datetime.timedelta(days=2), day + datetime.timedelta(days=2)

    call_command("rollup_usage", "--from", str(start), "--to", str(end))

    out, err = capsys.readouterr()
    assert "Rolled up 5 days" in out
    assert "[" + "#" * 30 + "] 5/5 days" in err
    assert "1/5 days" in err
    assert DailyUserUsage.objects.get(date=day).event_count == 1
    call_command("rollup_usage", "--from", str(start), "--to", str(end))
    assert DailyUserUsage.objects.get(date=day).event_count == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", "2026-12-01", "--from '2026-13-01' is not a date"),
        ("2026-11-01", "yesterday", "--to 'yesterday' is not a date"),
        ("2026-11-02", "2026-11-01", "comes after"),
        ("2026-11-01", "2999-01-01", "lies in the future"),
        ("1999-01-01", "2026-11-01", "older than 400 days"),
    ],
)
def test_bad_dates_are_a_command_error(start, end, message):
    with pytest.raises(CommandError, match=message):
        call_command("rollup_usage", "--from", start, "--to", end)
