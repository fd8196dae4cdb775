"""Retention purges, with time moved by time-machine: expired rows go, fresh rows, held rows
and active accounts stay, terminated accounts are erased after their period, a dry run
changes nothing, and running a purge twice changes nothing more."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from accounts.services.users import user_terminate
from audit.models import AuditEntry
from datamap import Subject, registry
from retention import selectors
from retention.models import LegalHold, PurgeRun, RetentionPolicy
from retention.selectors import erasure_exceptions
from retention.services import schedule
from retention.services.purge import purge_category
from tests.factories import DpoFactory, OrganisationFactory, UserFactory
from usage.models import DailyUsage, UsageEvent

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


def event(user, when, **fields):
    return UsageEvent.objects.create(
        occurred_at=when,
        organisation=user.organisation,
        user=user,
        ip_address="198.51.100.23",
        action="view",
        feature="reports",
        **fields,
    )


def policy(category):
    return RetentionPolicy.objects.get(category=category)


def test_every_retention_category_of_the_data_map_has_a_policy():
    assert selectors.categories_without_policy() == []
    assert set(registry.retention_categories()) <= set(
        RetentionPolicy.objects.values_list("category", flat=True)
    )


def test_expired_usage_events_are_purged_and_fresh_ones_kept(settings):
    settings.RETENTION_BATCH_SIZE = 3
    user = UserFactory()
    days = policy("usage_events").days
    old = [event(user, NOW - datetime.timedelta(days=days + 1, minutes=n)) for n in range(7)]
    fresh = event(user, NOW - datetime.timedelta(days=days - 1))

    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="usage_events")

    assert run.status == PurgeRun.Status.SUCCEEDED
    assert list(UsageEvent.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert run.counts == {"usage.events": {"deleted": len(old)}}


def test_a_second_purge_finds_nothing_more_to_do():
    user = UserFactory()
    event(user, NOW - datetime.timedelta(days=policy("usage_events").days + 5))
    with time_machine.travel(NOW, tick=False):
        purge_category(category="usage_events")
        again = purge_category(category="usage_events")
    assert again.counts == {}
    assert again.status == PurgeRun.Status.SUCCEEDED


def test_rows_of_a_person_under_a_legal_hold_are_kept():
    dpo = DpoFactory()
    held, other = UserFactory(), UserFactory()
    when = NOW - datetime.timedelta(days=policy("usage_events").days + 30)
    kept = event(held, when)
    event(other, when)
    schedule.legal_hold_place(user=held, reason="Employment tribunal claim", by=dpo)

    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="usage_events")

    assert list(UsageEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert run.counts == {"usage.events": {"deleted": 1}}


def test_rows_of_a_held_organisation_are_kept_and_go_once_the_hold_is_released():
    dpo = DpoFactory()
    user = UserFactory()
    event(user, NOW - datetime.timedelta(days=policy("usage_events").days + 30))
    hold = schedule.legal_hold_place(organisation=user.organisation, reason="Audit", by=dpo)

    with time_machine.travel(NOW, tick=False):
        purge_category(category="usage_events")
        assert UsageEvent.objects.count() == 1
        schedule.legal_hold_release(hold=hold, by=dpo)
        purge_category(category="usage_events")
    assert UsageEvent.objects.count() == 0


def test_a_dry_run_counts_the_same_rows_and_changes_nothing():
    user = UserFactory()
    for n in range(4):
        event(user, NOW - datetime.timedelta(days=policy("usage_events").days + 1 + n))
    with time_machine.travel(NOW, tick=False):
        dry = purge_category(category="usage_events", dry_run=True)
        assert UsageEvent.objects.count() == 4
        real = purge_category(category="usage_events")
    assert dry.dry_run and dry.counts == {"usage.events": {"deleted": 4}}
    assert real.counts == dry.counts


def test_expired_rollups_are_anonymised_as_the_data_map_says():
    user = UserFactory()
    day = (NOW - datetime.timedelta(days=policy("usage_rollups").days + 1)).date()
    DailyUsage.objects.create(
        date=day,
        organisation=user.organisation,
        user=user,
        feature="reports",
        event_count=3,
        total_duration_ms=10,
        first_seen=NOW,
        last_seen=NOW,
    )
    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="usage_rollups")
        again = purge_category(category="usage_rollups")
    row = DailyUsage.objects.get()
    assert row.user is None and row.event_count == 3
    assert run.counts == {"usage.daily": {"anonymised": 1}}
    assert again.counts == {}


def test_active_accounts_are_kept_and_terminated_ones_erased_after_their_period():
    dpo = DpoFactory()
    days = policy("account").days
    active = UserFactory(email="still.here@example.test")
    with time_machine.travel(NOW - datetime.timedelta(days=days + 1), tick=False):
        gone = UserFactory(email="long.gone@example.test", full_name="Gone Person")
        user_terminate(user=gone, by=dpo)
    with time_machine.travel(NOW - datetime.timedelta(days=days - 1), tick=False):
        recent = UserFactory(email="recently.left@example.test")
        user_terminate(user=recent, by=dpo)
    event(gone, NOW - datetime.timedelta(days=3))

    with time_machine.travel(NOW, tick=False):
        dry = purge_category(category="account", dry_run=True)
        assert User.objects.filter(email="long.gone@example.test").exists()
        run = purge_category(category="account")
        again = purge_category(category="account")

    gone.refresh_from_db()
    assert gone.email == f"erased-{gone.pk}@erased.invalid"
    assert gone.full_name == "Erased user"
    assert UsageEvent.objects.get().user is None  # the erasure right anonymises events
    assert User.objects.get(pk=active.pk).email == "still.here@example.test"
    assert User.objects.get(pk=recent.pk).email == "recently.left@example.test"
    assert run.counts["accounts.contact"] == {"anonymised": 1}
    assert run.counts == dry.counts
    assert again.counts == {}
    assert AuditEntry.objects.filter(action="retention.account_erased").count() == 1


def test_a_terminated_account_under_a_legal_hold_is_not_erased():
    dpo = DpoFactory()
    with time_machine.travel(NOW - datetime.timedelta(days=policy("account").days + 10)):
        user = UserFactory(email="claimant@example.test")
        user_terminate(user=user, by=dpo)
    schedule.legal_hold_place(user=user, reason="Claim", by=dpo)
    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="account")
    assert run.counts == {}
    assert User.objects.get(pk=user.pk).email == "claimant@example.test"


def test_the_erasure_right_keeps_everything_of_a_person_under_a_legal_hold():
    dpo = DpoFactory()
    user = UserFactory()
    schedule.legal_hold_place(organisation=user.organisation, reason="Litigation", by=dpo)
    reasons = erasure_exceptions(Subject.of(user_ids=[user.pk]), terminate_account=True)
    assert set(reasons) == {entry.name for entry in registry.entries()}
    assert all("legal hold" in reason for reason in reasons.values())


def test_an_indefinite_policy_purges_nothing():
    RetentionPolicy.objects.filter(category="audit").update(basis="indefinite")
    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="audit")
    assert run.counts == {} and run.cutoff is None


def test_a_purge_skips_a_category_another_worker_holds():
    RetentionPolicy.objects.filter(category="usage_events").update(
        lease_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    run = purge_category(category="usage_events")
    assert run.status == PurgeRun.Status.SKIPPED


def test_a_run_left_running_by_a_dead_worker_is_marked_interrupted_by_the_next():
    stale = PurgeRun.objects.create(
        category="usage_events",
        started_at=timezone.now() - datetime.timedelta(hours=1),
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
        counts={"usage.events": {"deleted": 10}},
    )
    purge_category(category="usage_events")
    stale.refresh_from_db()
    assert stale.status == PurgeRun.Status.INTERRUPTED
    assert stale.counts == {"usage.events": {"deleted": 10}}


def test_legal_holds_need_a_user_or_an_organisation_and_only_the_dpo_places_them():
    from django.core.exceptions import PermissionDenied, ValidationError

    from tests.factories import SupportFactory

    with pytest.raises(ValidationError):
        schedule.legal_hold_place(reason="x", by=DpoFactory())
    with pytest.raises(PermissionDenied):
        schedule.legal_hold_place(user=UserFactory(), reason="x", by=SupportFactory())
    assert not LegalHold.objects.exists()
    assert OrganisationFactory()
