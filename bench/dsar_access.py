"""Access package for a subject with one million usage events, against a plain COPY.

    python -m bench dsar_access      # database privacydesk_bench_dsar_access

Goals: the package's throughput is at least 30% of ``COPY (SELECT …) TO STDOUT`` of the same
rows, and building it takes under 100 MB above the process's baseline. The build runs in a
child process so that its peak RSS (ru_maxrss) is its own.
"""

import json
import os
import subprocess
import sys
import time

from bench.common import peak_rss_mb, progress, table, verdict

DEFAULT_EVENTS = 1_000_000
EMAIL = "dsar-subject@bench-dsar.example"
REFERENCE = "RR-BENCH-000001"
COPY_COLUMNS = (
    "occurred_at, action, feature, path, status_code, duration_ms, purpose, ip_address, "
    "user_agent_family"
)


def _subject(events: int):
    """The bench subject, their access request, and ``events`` usage events (COPY-written)."""
    from accounts.models import Organisation, User
    from bench.generate import generate_events
    from dsar.models import Channel, RequestKind, RequestSubject, RightsRequest, State
    from usage.models import UsageEvent

    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-dsar", defaults={"name": "Bench DSAR Client"}
    )
    user, _ = User.objects.get_or_create(
        email=EMAIL,
        defaults={"full_name": "Bench Subject", "organisation": organisation, "password": "!"},
    )
    have = UsageEvent.objects.filter(user=user).count()
    if have < events:
        progress(f"writing {events - have:,} usage events for one subject")
        generate_events(total=events - have, days=365, organisations=[(organisation, [user.pk])])
    request, _ = RightsRequest.objects.get_or_create(
        reference=REFERENCE,
        defaults={
            "kind": RequestKind.ACCESS,
            "state": State.IN_PROGRESS,
            "channel": Channel.EMAIL,
            "requester_name": user.full_name,
            "requester_email": EMAIL,
        },
    )
    RequestSubject.objects.get_or_create(request=request, user=user)
    return user, request, UsageEvent.objects.filter(user=user).count()


def _copy_baseline(user_id: int) -> tuple[float, int, int]:
    """Seconds, rows and bytes of a plain COPY of the subject's usage events to STDOUT."""
    from django.db import connection

    sql = (
        f"COPY (SELECT {COPY_COLUMNS} FROM usage_usageevent "  # noqa: S608 (an int id)
        f"WHERE user_id = {int(user_id)}) "
        "TO STDOUT"
    )
    rows = size = 0
    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for block in copy:
            size += len(block)
            rows += bytes(block).count(b"\n")
    return time.perf_counter() - started, rows, size


def _child(request_id: int) -> None:
    """Build the package in this (fresh) process; print seconds, RSS baseline and peak."""
    from bench.common import setup_django

    setup_django("dsar_access")  # the parent's DATABASE_URL, passed down
    from dsar.executors.access import access_package_build
    from dsar.executors.package_files import package_file_delete
    from dsar.models import AccessPackage, RightsRequest

    for old in AccessPackage.objects.filter(request_id=request_id):
        package_file_delete(old)
        old.delete()
    request = RightsRequest.objects.get(pk=request_id)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    package = access_package_build(request=request)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    result = {"seconds": seconds, "baseline_mb": baseline, "peak_mb": peak, "size": package.size}
    package_file_delete(package)
    package.delete()
    print(json.dumps(result))


def run(scale: int | None = None) -> None:
    events = scale or DEFAULT_EVENTS
    user, request, count = _subject(events)
    copy_seconds, copy_rows, copy_bytes = _copy_baseline(user.pk)
    progress(f"COPY: {copy_rows:,} rows in {copy_seconds:.2f} s")
    child = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "bench.dsar_access", "--child", str(request.pk)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    build_rate = count / result["seconds"]
    copy_rate = copy_rows / copy_seconds
    ratio = build_rate / copy_rate
    memory = result["peak_mb"] - result["baseline_mb"]
    table(
        f"Access package for one subject with {count:,} usage events",
        ["measure", "COPY … TO STDOUT", "access package", "ratio / goal"],
        [
            ["seconds", f"{copy_seconds:.2f}", f"{result['seconds']:.2f}", ""],
            [
                "rows per second",
                f"{copy_rate:,.0f}",
                f"{build_rate:,.0f}",
                f"{ratio:.0%} (goal ≥ 30%: {verdict(ratio >= 0.30)})",
            ],
            ["bytes", f"{copy_bytes:,}", f"{result['size']:,} (ZIP)", ""],
            [
                "peak RSS above baseline",
                "",
                f"{memory:.1f} MB (baseline {result['baseline_mb']:.0f} MB)",
                f"goal < 100 MB: {verdict(memory < 100)}",
            ],
        ],
    )


if __name__ == "__main__":
    # The child process of run(): builds the package and prints its figures.
    _child(int(sys.argv[2]))
