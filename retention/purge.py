"""The purge engine: expired rows of one retention category, in batches, claimed and counted.

Idempotent and resumable. A purge first claims its category with a conditional UPDATE (a
lease renewed at every batch), so two workers never run the same category at once; each
batch then locks its rows (``SKIP LOCKED``), deletes or anonymises them and adds their
count to the run, all in one transaction. A worker killed mid-run loses at most an
uncommitted batch, which rolls back with its count; the next run finds the remaining
rows still expired and finishes them, so the counts of all runs add up to what was done.
"""

import datetime
import logging
import re
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.deletion import Collector
from django.utils import timezone

import audit
from datamap import Entry, Subject, registry
from datamap.engines import _anonymise, erase_subject
from retention import selectors
from retention.models import PurgeRun, RetentionPolicy

logger = logging.getLogger(__name__)

USAGE_EVENTS_ENTRY = "usage.events"


def _batch_size() -> int:
    return settings.RETENTION_BATCH_SIZE


def _pause() -> None:
    # Optional breathing space between batches for other writers (and for tests that stop
    # a worker mid-run).
    if settings.RETENTION_BATCH_PAUSE_SECONDS:
        time.sleep(settings.RETENTION_BATCH_PAUSE_SECONDS)


def _add(run: PurgeRun, counts: dict[str, dict[str, int]]) -> None:
    """Add a batch's counts to the run, inside the batch's transaction, and renew the lease."""
    if not counts:
        return
    locked = PurgeRun.objects.select_for_update().get(pk=run.pk)
    for name, actions in counts.items():
        bucket = locked.counts.setdefault(name, {})
        for action, n in actions.items():
            bucket[action] = bucket.get(action, 0) + n
    now = timezone.now()
    locked.heartbeat_at = now
    locked.save(update_fields=["counts", "heartbeat_at"])
    run.counts = locked.counts
    RetentionPolicy.objects.filter(category=run.category).update(
        lease_until=now + datetime.timedelta(seconds=settings.RETENTION_LEASE_SECONDS)
    )


def _attribute(entry: Entry, policy: RetentionPolicy, per_model: dict[str, int]) -> dict:
    """Per-entry counts from Django's per-model delete counts: the entry's own model, then
    rows that went with them by cascade, under the category's entry for that model."""
    counts = {}
    own = entry.model_class._meta.label
    others = {
        e.model_class._meta.label: e.name
        for e in registry.entries_in_retention_category(policy.category)
        if e.name != entry.name
    }
    for label, n in per_model.items():
        if not n:
            continue
        name = entry.name if label == own else others.get(label, f"{label} (cascade)")
        counts.setdefault(name, {})["deleted"] = counts.get(name, {}).get("deleted", 0) + n
    return counts


def _delete_ranges(run: PurgeRun, entry: Entry, policy: RetentionPolicy, holds, now) -> None:
    """Rows nothing cascades from: each batch is one DELETE of the next key range (the
    batch-size-th key found by an index scan, no keys shipped to Python), restricted to the
    expired rows. The count is the DELETE's own row count, so a batch that finds its rows
    already gone (another worker, a retry) counts nothing."""
    last_pk = None
    size = _batch_size()
    while True:
        with transaction.atomic():
            rows = selectors.expired_rows(entry, policy, now=now, holds=holds)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            upper = list(rows.order_by("pk").values_list("pk", flat=True)[size - 1 : size])
            batch = rows.filter(pk__lte=upper[0]) if upper else rows
            deleted = batch._raw_delete(batch.db)
            _add(run, {entry.name: {"deleted": deleted}} if deleted else {})
        if not upper:
            return
        last_pk = upper[0]
        _pause()


def _purge_rows(run: PurgeRun, entry: Entry, policy: RetentionPolicy, holds, now) -> None:
    """Batched delete or anonymisation of one entry's expired rows, one transaction each."""
    action = selectors.entry_action(entry, policy)
    model = entry.model_class
    if action == "delete" and Collector(using="default").can_fast_delete(
        model._default_manager.all()
    ):
        return _delete_ranges(run, entry, policy, holds, now)
    last_pk = None
    while True:
        with transaction.atomic():
            rows = selectors.expired_rows(entry, policy, now=now, holds=holds)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            pks = list(
                rows.order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[: _batch_size()]
            )
            if not pks:
                return
            last_pk = pks[-1]
            batch = model._default_manager.filter(pk__in=pks)
            if action == "delete":
                _, per_model = batch.delete()
                _add(run, _attribute(entry, policy, per_model))
            else:
                n = _anonymise(batch, entry.erasure)
                _add(run, {entry.name: {"anonymised": n}})
        _pause()


_PARTITION = re.compile(r"_y(\d{4})m(\d{2})$")


def _drop_expired_partitions(run, entry, policy, holds, now) -> None:
    """Usage events on PostgreSQL: each monthly partition wholly before the cut-off goes by
    DETACH and DROP, in one transaction with its count. A month holding rows under a legal
    hold is left to the batched delete, which keeps those rows."""
    from usage import partitions

    if not partitions.is_partitioned():
        return
    cutoff = selectors.cutoff_for(policy, now)
    for name in sorted(partitions.existing_partitions()):
        match = _PARTITION.search(name)
        if not match:
            continue
        month = datetime.date(int(match[1]), int(match[2]), 1)
        low = datetime.datetime.combine(month, datetime.time(), tzinfo=datetime.UTC)
        high = datetime.datetime.combine(
            partitions.add_months(month, 1), datetime.time(), tzinfo=datetime.UTC
        )
        if high > cutoff:
            continue
        in_month = entry.model_class._default_manager.filter(
            occurred_at__gte=low, occurred_at__lt=high
        )
        if (
            holds
            and in_month.exclude(
                pk__in=selectors.expired_rows(entry, policy, now=now, holds=holds).values("pk")
            ).exists()
        ):
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 (a partition of ours)
            count = cursor.fetchone()[0]
            cursor.execute(f"ALTER TABLE {partitions.TABLE} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
            _add(run, {entry.name: {"deleted": count}})
        logger.info("Dropped partition %s (%d usage events past retention)", name, count)


def _erase_accounts(run: PurgeRun, policy: RetentionPolicy, holds, now) -> None:
    """Terminated accounts past their period go through the erasure right's own code: the
    engine, with the exceptions the erasure executor decides (legal holds included)."""
    from accounts.models import User
    from dsar.executors.erasure import erasure_exceptions

    last_pk = 0
    while True:
        with transaction.atomic():
            user = (
                selectors.expired_accounts(policy, now=now, holds=holds)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if user is None:
                return
            last_pk = user.pk
            subject = Subject.of(user_ids=[user.pk], emails=[user.email])
            reasons = erasure_exceptions(subject, terminate_account=False)
            outcomes = erase_subject(
                subject, exception_for=lambda e, reasons=reasons: reasons.get(e.name)
            )
            counts = {}
            for outcome in outcomes:
                if outcome.action in ("deleted", "anonymised") and outcome.rows:
                    counts.setdefault(outcome.entry.name, {})[outcome.action] = outcome.rows
            _add(run, counts)
            audit.record(
                None,
                "retention.account_erased",
                target=User.objects.get(pk=user.pk),
                details={"purge_run": run.pk, "terminated_at": user.terminated_at},
            )
        _pause()


def _claim(policy: RetentionPolicy, now) -> bool:
    lease = now + datetime.timedelta(seconds=settings.RETENTION_LEASE_SECONDS)
    return bool(
        RetentionPolicy.objects.filter(pk=policy.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=lease)
    )


def _release(policy: RetentionPolicy) -> None:
    RetentionPolicy.objects.filter(pk=policy.pk).update(lease_until=None)


def purge_category(*, category: str, dry_run: bool = False, trigger: str = "schedule"):
    """Purge (or, as a dry run, count) the expired rows of one retention category."""
    policy = RetentionPolicy.objects.get(category=category)
    now = timezone.now()
    if not dry_run:
        if not _claim(policy, now):
            return PurgeRun.objects.create(
                category=category,
                trigger=trigger,
                status=PurgeRun.Status.SKIPPED,
                started_at=now,
                finished_at=now,
                error="Another purge of this category is running.",
            )
        # We hold the claim, so any run still marked running lost its worker.
        PurgeRun.objects.filter(
            category=category, dry_run=False, status=PurgeRun.Status.RUNNING
        ).update(
            status=PurgeRun.Status.INTERRUPTED,
            finished_at=F("heartbeat_at"),
            error="The worker stopped before the run finished; a later run carried on.",
        )
    run = PurgeRun.objects.create(
        category=category,
        dry_run=dry_run,
        trigger=trigger,
        started_at=now,
        heartbeat_at=now,
        cutoff=None
        if policy.basis == RetentionPolicy.Basis.INDEFINITE
        else selectors.cutoff_for(policy, now),
    )
    try:
        if dry_run:
            run.counts = selectors.due_counts(policy, now=now)
        elif policy.basis == RetentionPolicy.Basis.ACCOUNT:
            _erase_accounts(run, policy, selectors.held(), now)
        elif policy.basis != RetentionPolicy.Basis.INDEFINITE:
            holds = selectors.held()
            for entry in selectors.purgeable_entries(policy):
                if (
                    entry.name == USAGE_EVENTS_ENTRY
                    and selectors.entry_action(entry, policy) == "delete"
                ):
                    _drop_expired_partitions(run, entry, policy, holds, now)
                _purge_rows(run, entry, policy, holds, now)
        run.status = PurgeRun.Status.SUCCEEDED
    except Exception as error:
        # The class and the first line only: a database error's DETAIL line quotes values.
        run.status = PurgeRun.Status.FAILED
        first_line = str(error).splitlines()[0] if str(error) else ""
        run.error = f"{type(error).__name__}: {first_line}"[:500]
        logger.exception("Purge of %s failed", category)
        raise
    finally:
        if not dry_run:
            # What the committed batches recorded, not what a rolled-back one had added.
            run.counts = PurgeRun.objects.get(pk=run.pk).counts
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "status", "error", "finished_at"])
        if not dry_run:
            _release(policy)
    return run
