"""The audit trail under scheme 3 (commitments of personal details), against the old scheme.

    python -m bench audit_verify [--scale 100000]   # database privacydesk_bench_audit_verify

Writes ``scale`` entries as the app does (each with a salt, the commitments of its labels, IP
address and details, and its MAC), then measures, in one process:

- ``verify_audit``'s walk (audit_chain_verify) over them, against the old scheme's walk over
  the same rows (the link and a keyed MAC over the values, which is all it computed); the
  ratio is the price of commitments;
- one append (audit_record) as the app makes it, and its MAC and commitments alone, against
  the old MAC alone;
- one retention batch blanking every personal detail of RETENTION_BATCH_SIZE entries (one
  transaction, the chain's lock held throughout), and an erasure's search of the whole trail
  for one person.

Goal: verification at most 4 times the old walk's time. The old walk here uses today's MAC
code (the key set up once), so the ratio errs against scheme 3. An append's own cost is
mostly its transaction's commit; the MAC and commitments are shown beside it.
"""

import datetime
import secrets
import time

from bench.common import median, percentile, progress, table, timed, verdict

DEFAULT_ENTRIES = 100_000
APPENDS = 500
BATCH = 5_000


def _reset() -> None:
    """An empty trail: the triggers refuse TRUNCATE, which the benchmark's superuser lifts for
    its own statement only."""
    from django.core.cache import cache
    from django.db import connection, transaction

    from audit.services.record import ANCHOR_CACHE_KEY, HEAD_CACHE_KEY, TAIL_CUT_CACHE_KEY

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("TRUNCATE audit_auditentry, audit_auditanchor RESTART IDENTITY")
    cache.delete_many([HEAD_CACHE_KEY, TAIL_CUT_CACHE_KEY, ANCHOR_CACHE_KEY])


def _generate(total: int) -> None:
    """``total`` chained entries, made as audit_record makes them, written in batches."""
    from django.utils import timezone

    from audit.chain import GENESIS_HASH, Scheme, entry_commitments, entry_digest
    from audit.models import AuditEntry

    progress(f"writing {total:,} audit entries")
    previous = GENESIS_HASH
    start = timezone.now() - datetime.timedelta(days=3000)
    batch = []
    for n in range(total):
        entry = AuditEntry(
            created_at=start + datetime.timedelta(seconds=n * 2),
            actor_label=f"staff{n % 40}@company.example",
            action="user.suspend" if n % 3 else "rights_request.view",
            target_type="accounts.User",
            target_id=str(1000 + n % 5000),
            target_label=f"Person {n % 5000} Example",
            details={"reason": f"Asked on the phone, call {n}", "count": n % 7, "kind": "web"},
            ip_address=f"198.51.{n % 200}.{n % 250}",
            prev_hash=previous,
            scheme=Scheme.COMMITTED,
            salt=secrets.token_hex(16),
        )
        entry.commitments = entry_commitments(entry)
        entry.hash = entry_digest(entry)
        previous = entry.hash
        batch.append(entry)
        if len(batch) == BATCH:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEntry.objects.bulk_create(batch)


def _old_walk() -> int:
    """The old scheme's walk over the same rows: the link and a keyed MAC over the values."""
    from audit.chain import GENESIS_HASH, Scheme, digests_match, entry_digest
    from audit.models import AuditEntry

    previous, checked = GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        assert entry.prev_hash == previous
        entry.scheme = Scheme.HMAC_SHA256
        digests_match(entry_digest(entry), entry.hash)  # a mismatch: these are scheme 3 rows
        previous = entry.hash
        checked += 1
    return checked


def _append_costs() -> tuple[list[float], list[float], list[float]]:
    from audit.chain import Scheme, entry_commitments, entry_digest
    from audit.models import AuditEntry
    from audit.services import audit_record

    appends = [
        timed(
            lambda n=n: audit_record(
                actor=None,
                action="user.view",
                details={"reason": f"bench {n}", "count": n},
                ip_address="198.51.100.4",
            )
        )
        for n in range(APPENDS)
    ]
    sample = AuditEntry.objects.order_by("-id").first()
    committed, old = [], []
    for _ in range(APPENDS):
        sample.scheme = Scheme.COMMITTED
        started = time.perf_counter()
        sample.commitments = entry_commitments(sample)
        entry_digest(sample)
        committed.append(time.perf_counter() - started)
        sample.scheme = Scheme.HMAC_SHA256
        old.append(timed(lambda: entry_digest(sample)))
    return appends, committed, old


def _blanking(batch_size: int) -> tuple[float, int, float]:
    from audit.models import AuditEntry
    from audit.services import audit_expired_details_erase, audit_subject_details_erase
    from datamap import Identifiers

    oldest = AuditEntry.objects.order_by("id").values_list("id", flat=True)[:batch_size]
    rows = AuditEntry.objects.filter(id__in=list(oldest))
    started = time.perf_counter()
    blanked = audit_expired_details_erase(rows, {"reason": "retention", "purge_run": 0})
    retention = time.perf_counter() - started
    person = Identifiers(
        user_ids=frozenset({1042}),
        emails=frozenset({"person42@client.example"}),
        names=frozenset({"Person 42 Example"}),
        ip_addresses=frozenset({"198.51.42.42"}),
    )
    erasure = timed(lambda: audit_subject_details_erase(person, {"rights_request": "RR-BENCH"}))
    return retention, blanked, erasure


def run(scale: int | None = None) -> None:
    from django.conf import settings

    from audit.services import audit_chain_verify

    total = scale or DEFAULT_ENTRIES
    _reset()
    _generate(total)
    progress("verifying, scheme 3")
    started = time.perf_counter()
    result = audit_chain_verify()
    new_seconds = time.perf_counter() - started
    assert result.intact and result.checked == total, result
    progress("walking the same rows the old way")
    old_seconds = timed(_old_walk)
    appends, committed, old = _append_costs()
    retention, blanked, erasure = _blanking(settings.RETENTION_BATCH_SIZE)
    assert audit_chain_verify().intact

    ratio = new_seconds / old_seconds
    rate = total / new_seconds
    append_ms = median(appends) * 1000
    table(
        f"verify_audit over {total:,} entries (one process)",
        ["measure", "old scheme (values MACed)", "scheme 3 (commitments)", "ratio / goal"],
        [
            [
                "walk, seconds",
                f"{old_seconds:.2f}",
                f"{new_seconds:.2f}",
                f"{ratio:.2f}x (goal ≤ 4x: {verdict(ratio <= 4)})",
            ],
            ["entries per second", f"{total / old_seconds:,.0f}", f"{rate:,.0f}", ""],
            [
                "MAC (+ commitments) of one entry, µs, median",
                f"{median(old) * 1e6:.1f}",
                f"{median(committed) * 1e6:.1f}",
                f"{median(committed) / median(old):.1f}x",
            ],
        ],
    )
    table(
        "Writing and blanking",
        ["measure", "value", ""],
        [
            [
                f"audit_record, {APPENDS} appends: median / p95",
                f"{append_ms:.2f} ms / {percentile(appends, 0.95) * 1000:.2f} ms",
                f"of which MAC + commitments: {median(committed) * 1000:.3f} ms",
            ],
            [
                f"retention batch: every personal detail of {blanked:,} entries",
                f"{retention:.2f} s ({blanked / retention:,.0f} entries/s), one record",
                "",
            ],
            [f"erasure: search of {total:,} entries for one person", f"{erasure:.2f} s", ""],
        ],
    )
