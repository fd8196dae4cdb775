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
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.deletion import Collector
from django.db.models.expressions import RawSQL
from django.utils import timezone

import audit
from accounts.models import User
from accounts.organisation_selectors import organisation_ids
from datamap import Entry, Redact, Subject, registry
from datamap.engines import anonymise_rows, erase_subject
from retention import selectors
from retention.models import PurgeRun, RetentionPolicy
from retention.services.leases import claim, release, run_skipped, runs_interrupted_close
from retention.services.ledger import erasure_ledger_purge_batch, erasure_ledger_record
from usage import partitions

logger = logging.getLogger(__name__)

USAGE_EVENTS_ENTRY = "usage.events"


def _batch_size() -> int:
    return settings.RETENTION_BATCH_SIZE


def _pause() -> None:
    # Optional breathing space between batches for other writers (and for tests that stop
    # a worker mid-run).
    if settings.RETENTION_BATCH_PAUSE_SECONDS:
        time.sleep(settings.RETENTION_BATCH_PAUSE_SECONDS)


def _add_counts(locked: PurgeRun, counts: dict[str, dict[str, int]]) -> None:
    """Add counts to a run whose row the caller has locked."""
    for name, actions in counts.items():
        bucket = locked.counts.setdefault(name, {})
        for action, n in actions.items():
            bucket[action] = bucket.get(action, 0) + n
    locked.heartbeat_at = timezone.now()
    locked.save(update_fields=["counts", "heartbeat_at"])


def _add(run: PurgeRun, counts: dict[str, dict[str, int]]) -> None:
    """Add a batch's counts to the run, inside the batch's transaction, and renew the lease."""
    if not counts:
        return
    locked = PurgeRun.objects.select_for_update().get(pk=run.pk)
    _add_counts(locked, counts)
    run.counts = locked.counts
    RetentionPolicy.objects.filter(category=run.category).update(
        lease_until=locked.heartbeat_at
        + datetime.timedelta(seconds=settings.RETENTION_LEASE_SECONDS)
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


def _heap_shape(model) -> tuple[int, float]:
    """PostgreSQL: the most heap blocks any of the model's tables has (its partitions, or the
    table itself) and the rows per block index summed over them, from the planner's counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(pg_relation_size(c.oid)), 0) / current_setting('block_size')::int,"
            " coalesce(sum(greatest(c.reltuples, 0)), 0) FROM pg_class c WHERE c.oid IN ("
            "  SELECT %s::regclass WHERE NOT EXISTS ("
            "    SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)"
            "  UNION ALL SELECT relid FROM pg_partition_tree(%s::regclass) WHERE isleaf)",
            [model._meta.db_table] * 3,
        )
        blocks, rows = cursor.fetchone()
    return blocks, (rows / blocks if blocks and rows else UNKNOWN_ROWS_PER_BLOCK)


UNKNOWN_ROWS_PER_BLOCK = 100.0  # a table never analysed: a guess that keeps batches small


def _delete_block_ranges(run: PurgeRun, entry: Entry, policy, holds, now) -> None:
    """PostgreSQL, rows nothing cascades from: each batch is one DELETE of the expired rows in
    the next range of heap blocks (a TID range scan, in every partition the cut-off leaves in):
    the table is read once, in physical order, with no index lookups and no keys in Python.
    The count is the DELETE's own row count, so a batch that finds its rows already gone
    (another worker, a retry) counts nothing."""
    blocks, rows_per_block = _heap_shape(entry.model_class)
    step = max(1, round(_batch_size() / rows_per_block))
    for first in range(0, blocks, step):
        in_range = RawSQL(
            "ctid >= %s::tid AND ctid < %s::tid",
            [f"({first},0)", f"({first + step},0)"],
            output_field=BooleanField(),
        )
        with transaction.atomic():
            batch = selectors.expired_rows(entry, policy, now=now, holds=holds).filter(in_range)
            deleted = batch._raw_delete(batch.db)
            _add(run, {entry.name: {"deleted": deleted}} if deleted else {})
        _pause()


def _delete_ranges(
    run: PurgeRun, entry: Entry, policy: RetentionPolicy, holds, now, organisation_id=None
) -> None:
    """Rows nothing cascades from, on other databases or of one organisation: each batch is
    one DELETE of the next key range (the batch-size-th key found by an index scan),
    restricted to the expired rows."""
    last_pk = None
    size = _batch_size()
    while True:
        with transaction.atomic():
            rows = selectors.expired_rows(
                entry, policy, now=now, holds=holds, organisation_id=organisation_id
            )
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
    """Batched delete or anonymisation of one entry's expired rows, one transaction each; of
    an entry sharded by organisation, one organisation after another, each statement naming
    it (docs/scaling.md: on Citus each is then a query on one node)."""
    if not entry.organisation_field:
        return _purge_rows_of(run, entry, policy, holds, now, organisation_id=None)
    for organisation_id in organisation_ids():
        _purge_rows_of(run, entry, policy, holds, now, organisation_id=organisation_id)


def _purge_rows_of(run, entry, policy, holds, now, *, organisation_id) -> None:
    action = selectors.entry_action(entry, policy)
    model = entry.model_class
    if action == "delete" and Collector(using="default").can_fast_delete(
        model._default_manager.all()
    ):
        if connection.vendor == "postgresql" and organisation_id is None:
            return _delete_block_ranges(run, entry, policy, holds, now)
        return _delete_ranges(run, entry, policy, holds, now, organisation_id)
    scope = {} if organisation_id is None else {entry.organisation_field: organisation_id}
    last_pk = None
    while True:
        with transaction.atomic():
            rows = selectors.expired_rows(
                entry, policy, now=now, holds=holds, organisation_id=organisation_id
            )
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            rows = rows.order_by("pk")
            if not isinstance(entry.erasure, Redact):
                # A Redact rule's owner locks its rows itself, after its own lock.
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            pks = list(rows.values_list("pk", flat=True)[: _batch_size()])
            if not pks:
                return
            last_pk = pks[-1]
            batch = model._default_manager.filter(pk__in=pks, **scope)
            if action == "delete":
                _, per_model = batch.delete()
                _add(run, _attribute(entry, policy, per_model))
            else:
                because = {"reason": "retention", "purge_run": run.pk}
                n = anonymise_rows(entry, batch, because=because)
                _add(run, {entry.name: {"anonymised": n}})
        _pause()


_PARTITION = re.compile(r"_y(\d{4})m(\d{2})$")
# A detached month waiting to be dropped: the run that detached it, then the partition's name.
_DETACHED = re.compile(r"^usage_purged_r(\d+)_(y\d{4}m\d{2})$")


def _detach_expired_partitions(run, entry, policy, holds, now) -> None:
    """Usage events on PostgreSQL: every monthly partition wholly before the cut-off leaves the
    table by DETACH, all in one short transaction that touches only the catalogue: from its
    commit the rows are out of every query, as a DELETE's would be. Each detached table is
    renamed for the run (``usage_purged_r<run>_y<year>m<month>``) and dropped, with its exact
    count, by ``partitions_reclaim``: that frees the files without holding the table's lock.
    A month holding rows under a legal hold is left to the batched delete, which keeps them."""
    if connection.vendor != "postgresql":
        return
    cutoff = selectors.cutoff_for(policy, now)
    expired = []
    for name in sorted(partitions.existing_partitions()):
        match = _PARTITION.search(name)
        if not match:
            continue
        month = datetime.date(int(match[1]), int(match[2]), 1)
        high = datetime.datetime.combine(
            partitions.add_months(month, 1), datetime.time(), tzinfo=datetime.UTC
        )
        if high > cutoff:
            continue
        if holds and _holds_rows_in(entry, holds, month, high):
            continue
        expired.append((name, f"usage_purged_r{run.pk}_{match[0][1:]}"))
    if not expired:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for name, detached in expired:
            cursor.execute(f"ALTER TABLE {partitions.TABLE} DETACH PARTITION {name}")
            cursor.execute(f"ALTER TABLE {name} RENAME TO {detached}")
    logger.info("Detached %d expired months of usage events", len(expired))


def _holds_rows_in(entry, holds, month, high) -> bool:
    """Whether the month holds rows a legal hold keeps: rows of a held person, or of a held
    organisation. Each query names organisations (the held people's, the held ones)."""
    low = datetime.datetime.combine(month, datetime.time(), tzinfo=datetime.UTC)
    in_month = {f"{entry.retention_field}__gte": low, f"{entry.retention_field}__lt": high}
    if entry.rows_of(holds.subject).filter(**in_month).exists():
        return True
    return bool(holds.organisation_ids) and (
        entry.model_class._default_manager.filter(
            **{f"{entry.organisation_field}__in": holds.organisation_ids}, **in_month
        ).exists()
    )


def partitions_reclaim() -> int:
    """Drop the months purges detached, each in its own transaction with its exact row count
    added to the run that detached it. Safe to repeat and to interrupt: a month not yet dropped
    is found again by the next call (every purge ends with one). Returns the rows dropped."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname ~ %s"
            " AND relnamespace = current_schema()::regnamespace ORDER BY relname",
            [_DETACHED.pattern],
        )
        names = [row[0] for row in cursor.fetchall()]
    dropped = 0
    for name in names:
        run_pk = int(_DETACHED.match(name)[1])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 (a table of ours)
            count = cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE {name}")
            run = PurgeRun.objects.select_for_update().filter(pk=run_pk).first()
            if run is not None:
                _add_counts(run, {USAGE_EVENTS_ENTRY: {"deleted": count}})
        dropped += count
        logger.info("Dropped %s: %d usage events past retention", name, count)
    return dropped


def _erase_accounts(run: PurgeRun, policy: RetentionPolicy, holds, now) -> None:
    """Terminated accounts past their period go through the erasure right's own code: the
    engine, with the exceptions the erasure executor decides (legal holds included), and the
    same entry in the erasure ledger once each person's erasure commits."""
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
            subject = Subject.of(
                user_ids=[user.pk], emails=[user.email], organisation_ids=[user.organisation_id]
            )
            outcomes = erase_subject(
                subject,
                exception_for=selectors.erasure_exception_for(subject, terminate_account=False),
                because={"reason": "retention", "purge_run": run.pk},
            )
            # As the erasure executor does, so that a restore erases them again (the account
            # had ended before this erasure).
            ledger = partial(erasure_ledger_record, subject=subject, terminate_account=True)
            transaction.on_commit(ledger)
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


def _purge_ledger(run: PurgeRun, policy: RetentionPolicy, now) -> None:
    """The erasure ledger, in its own database: a batch per transaction there, its count added
    to the run once it has committed (a worker killed in between loses a count, never a row)."""
    cutoff = selectors.cutoff_for(policy, now)
    while deleted := erasure_ledger_purge_batch(before=cutoff, size=_batch_size()):
        with transaction.atomic():
            _add(run, {selectors.ERASURE_LEDGER_COUNTS: {"deleted": deleted}})
        _pause()


def _purge_or_count(run: PurgeRun, policy: RetentionPolicy, *, dry_run: bool, now) -> None:
    if dry_run:
        run.counts = selectors.due_counts(policy, now=now)
    elif policy.basis == RetentionPolicy.Basis.ACCOUNT:
        _erase_accounts(run, policy, selectors.held(), now)
    elif policy.category == selectors.ERASURE_LEDGER_CATEGORY:
        _purge_ledger(run, policy, now)
    elif policy.basis != RetentionPolicy.Basis.INDEFINITE:
        holds = selectors.held()
        for entry in selectors.purgeable_entries(policy):
            if (
                entry.name == USAGE_EVENTS_ENTRY
                and selectors.entry_action(entry, policy) == "delete"
            ):
                _detach_expired_partitions(run, entry, policy, holds, now)
            _purge_rows(run, entry, policy, holds, now)


def purge_category(*, category: str, dry_run: bool = False, trigger: str = "schedule"):
    """Purge (or, as a dry run, count) the expired rows of one retention category."""
    policy = RetentionPolicy.objects.get(category=category)
    now = timezone.now()
    with transaction.atomic():
        if not dry_run:
            if not claim(policy, now):
                return run_skipped(category=category, trigger=trigger, now=now)
            runs_interrupted_close(category)
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
        _purge_or_count(run, policy, dry_run=dry_run, now=now)
        run.status = PurgeRun.Status.SUCCEEDED
    except Exception as error:
        # The class and the first line only: a database error's DETAIL line quotes values.
        run.status = PurgeRun.Status.FAILED
        first_line = str(error).splitlines()[0] if str(error) else ""
        run.error = f"{type(error).__name__}: {first_line}"[:500]
        logger.exception("Purge of %s failed", category)
        raise
    finally:
        with transaction.atomic():
            if not dry_run:
                # What the committed batches recorded, not what a rolled-back one had added.
                run.counts = PurgeRun.objects.get(pk=run.pk).counts
            run.finished_at = timezone.now()
            run.save(update_fields=["counts", "status", "error", "finished_at"])
            if not dry_run:
                release(policy)
    return run
