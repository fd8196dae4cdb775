"""Demo usage history for the embedded mode: purposes, a month of events, their rollups, and a
weekly scheduled report with last week delivered."""

import datetime
import random

from django.utils import timezone

from accounts.selectors import report_recipients
from usage.events import events_write
from usage.models import ReportSubscription, UsageEvent, UsagePurpose
from usage.periods import last_closed_period
from usage.services import uk_day_bounds, usage_rollup_day
from usage.services.subscriptions import report_delivery_build, report_subscription_create

DEMO_PURPOSES = [
    ("analysis", "Analysis and reporting", ["reports", "dashboards", "export"]),
    ("administration", "Account administration", ["settings", "users"]),
    ("collaboration", "Working with colleagues", ["comments", "sharing"]),
]
FEATURES = [feature for _, _, features in DEMO_PURPOSES for feature in features]
DAYS = 30


def usage_demo_seed(*, organisation, users) -> int:
    """Give ``organisation`` purposes and a month of usage, once; returns the events written."""
    purpose_of = {}
    for code, label, features in DEMO_PURPOSES:
        UsagePurpose.objects.get_or_create(
            organisation=organisation, code=code, defaults={"label": label, "features": features}
        )
        purpose_of.update(dict.fromkeys(features, code))
    if UsageEvent.objects.filter(organisation=organisation).exists():
        return 0
    rng = random.Random(organisation.slug)  # noqa: S311 (the same demo history everywhere)
    today = timezone.localdate()
    events = []
    for offset in range(DAYS, -1, -1):
        day = today - datetime.timedelta(days=offset)
        start, _ = uk_day_bounds(day)
        weekend = day.weekday() >= 5
        for user in users:
            if rng.random() < (0.85 if weekend else 0.2):
                continue  # not everyone works every day
            # People work in runs on one feature (tasks), a few minutes apart, then move on.
            moment = start + datetime.timedelta(hours=rng.uniform(8, 10))
            left = rng.randint(3, 25)
            while left > 0:
                feature = rng.choice(FEATURES)
                for _ in range(min(left, rng.randint(1, 6))):
                    left -= 1
                    moment += datetime.timedelta(minutes=rng.uniform(0.2, 4))
                    if moment > timezone.now():
                        continue
                    events.append(
                        {
                            "occurred_at": moment,
                            "organisation_id": organisation.pk,
                            "user_id": user.pk,
                            "ip_address": f"198.51.100.{rng.randint(1, 254)}",
                            "user_agent_family": rng.choice(
                                ["Chrome", "Firefox", "Edge", "Safari"]
                            ),
                            # The export feature's events download what people gathered.
                            "action": "export" if feature == "export" else "page_view",
                            "feature": feature,
                            "path": f"/app/{feature}/",
                            "status_code": 200,
                            "duration_ms": rng.randint(40, 1_500),  # server time
                            "purpose": purpose_of[feature],
                        }
                    )
                moment += datetime.timedelta(minutes=rng.uniform(5, 45))
    written = events_write(events)
    for offset in range(DAYS + 1):
        usage_rollup_day(day=today - datetime.timedelta(days=offset))
    return written


def reports_demo_seed(*, organisation) -> ReportSubscription | None:
    """A weekly report to the organisation's first client admin, with last week delivered,
    once; None when it has no admin or already has a subscription."""
    admin = report_recipients(organisation).filter(organisation=organisation).order_by("pk")
    admin = admin.first()
    if admin is None or ReportSubscription.objects.filter(organisation=organisation).exists():
        return None
    subscription = report_subscription_create(
        organisation=organisation,
        cadence="weekly",
        grouping="feature",
        recipients=[admin],
        by=admin,
    )
    report_delivery_build(
        subscription=subscription, period=last_closed_period("weekly", timezone.now())
    )
    return subscription
