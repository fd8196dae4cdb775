"""Ingestion: events per second through the batch API, against raw COPY of the same rows.

Each run posts BATCHES batches of 1,000 events through the API (the test client, so the whole
middleware and DRF stack is included), then writes the same rows into the same table with one
raw psycopg COPY on a connection of its own, in the same process. After warm-up batches (ua-parser,
URL resolver, connections, statement caches), RUNS runs alternate the two; the medians are
compared. Bodies are built one batch at a time and the COPY rows one run at a time, so the bench's
own data does not grow with the number of events; the resident set is read after each run
through the API, before the baseline builds its rows. The bench deletes its events afterwards.
"""

import datetime
import json
import statistics
import time
import uuid

import psycopg
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.common import progress, rss_mb, table, verdict
from bench.generate import bench_organisations
from usage.events import COPY_SQL

RUNS = 5
BATCHES = 20
BATCH_SIZE = 1000
WARM_UP_BATCHES = 3
USERS = 100
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36"


def _batch(run: str, b: int, user_ids: list[int], now: datetime.datetime) -> list[dict]:
    return [
        {
            "event_id": f"{run}-{b}-{i}",
            "occurred_at": (now - datetime.timedelta(seconds=b * BATCH_SIZE + i)).isoformat(),
            "action": "page_view",
            "feature": "reports",
            "user_id": user_ids[i % len(user_ids)],
            "path": "/app/reports",
            "status_code": 200,
            "duration_ms": 120,
            "ip_address": "10.1.2.3",
            "user_agent": USER_AGENT,
        }
        for i in range(BATCH_SIZE)
    ]


def _copy_row(item: dict, organisation_id: int) -> tuple:
    """The row the API stores for ``item``, in ``usage.events.COLUMNS`` order."""
    return (
        datetime.datetime.fromisoformat(item["occurred_at"]),
        organisation_id,
        item["user_id"],
        "",
        item["ip_address"],
        "Chrome",
        item["action"],
        item["feature"],
        item["path"],
        item["status_code"],
        item["duration_ms"],
        "",
        item["event_id"],
    )


def _forget_events(organisation) -> None:
    """Delete the bench's events and their ids, and VACUUM what the deletes left, so every run
    starts from the same tables and not from the dead rows of the last one."""
    from usage.models import IngestedEventId, UsageEvent

    UsageEvent.objects.filter(organisation=organisation).delete()
    IngestedEventId.objects.filter(organisation=organisation).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {UsageEvent._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {IngestedEventId._meta.db_table}")


def _dsn() -> str:
    settings = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
    )


class _Ingest:
    """The two ways in, on the same organisation: the API (timed per POST) and raw COPY."""

    def __init__(self, organisation_id: int, user_ids: list[int], api_key: str) -> None:
        self.organisation_id, self.user_ids = organisation_id, user_ids
        self.client = Client(HTTP_HOST="localhost")
        self.headers = {"HTTP_AUTHORIZATION": f"Api-Key {api_key}"}
        self.raw = psycopg.connect(_dsn())
        self.now = timezone.now()

    def post(self, body: str) -> float:
        started = time.perf_counter()
        response = self.client.post(
            "/api/v1/usage/events/", body, content_type="application/json", **self.headers
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 201, response.content[:300]
        assert response.json()["stored"] == BATCH_SIZE, response.content[:300]
        return elapsed

    def api_run(self, run_id: str) -> float:
        # Each body is made just before it is sent and dropped after: only the POST is timed.
        return sum(
            self.post(json.dumps(_batch(run_id, b, self.user_ids, self.now)))
            for b in range(BATCHES)
        )

    def copy_run(self, run_id: str) -> float:
        rows = [
            _copy_row(item, self.organisation_id)
            for b in range(BATCHES)
            for item in _batch(run_id, b, self.user_ids, self.now)
        ]
        started = time.perf_counter()
        with self.raw.cursor().copy(COPY_SQL) as copy:
            for row in rows:
                copy.write_row(row)
        self.raw.commit()
        return time.perf_counter() - started


def run(scale=None) -> None:
    from accounts.models import OrganisationAPIKey

    organisation, user_ids = bench_organisations(1, USERS)[0]
    _forget_events(organisation)
    _, plain = OrganisationAPIKey.objects.create_key(
        organisation=organisation, name="bench", scopes=["usage:write"]
    )
    ingest = _Ingest(organisation.pk, user_ids, plain)
    try:
        rss_before, api_rates, copy_rates, rss_runs = _measure(ingest)
    finally:
        ingest.raw.close()
        _forget_events(organisation)
    _report(rss_before, api_rates, copy_rates, rss_runs)


def _measure(ingest: _Ingest) -> tuple[float, list[float], list[float], list[float]]:
    """RSS after warm-up, then each run's events/s through the API and by COPY, and RSS."""
    progress(f"warming up: {WARM_UP_BATCHES} batches through the API, one raw COPY")
    for b in range(WARM_UP_BATCHES):
        ingest.post(json.dumps(_batch("warm", b, ingest.user_ids, ingest.now)))
    ingest.copy_run("warm-copy")
    rss_before = rss_mb()

    api_rates, copy_rates, rss_runs = [], [], []
    total = BATCHES * BATCH_SIZE
    for n in range(RUNS):
        progress(f"run {n + 1} of {RUNS}: {BATCHES} batches of {BATCH_SIZE}, then raw COPY")
        api_rates.append(total / ingest.api_run(uuid.uuid4().hex))
        rss_runs.append(rss_mb())  # after the API's batches, before the baseline's rows
        copy_rates.append(total / ingest.copy_run(uuid.uuid4().hex))
    return rss_before, api_rates, copy_rates, rss_runs


def _report(rss_before, api_rates, copy_rates, rss_runs) -> None:
    total = BATCHES * BATCH_SIZE
    api_rate, copy_rate = statistics.median(api_rates), statistics.median(copy_rates)
    ratio = api_rate / copy_rate
    run_ratios = [a / c for a, c in zip(api_rates, copy_rates, strict=True)]
    table(
        f"Usage ingestion: {RUNS} runs of {total:,} events (medians)",
        ["", "events/s", "ms per 1,000", "runs (events/s)"],
        [
            [
                "raw psycopg COPY (baseline)",
                f"{copy_rate:,.0f}",
                f"{1e6 / copy_rate:.1f}",
                " ".join(f"{r:,.0f}" for r in copy_rates),
            ],
            [
                "POST /api/v1/usage/events/",
                f"{api_rate:,.0f}",
                f"{1e6 / api_rate:.1f}",
                " ".join(f"{r:,.0f}" for r in api_rates),
            ],
            [
                "API / COPY",
                f"{ratio:.0%}",
                "",
                f"per run {min(run_ratios):.0%} to {max(run_ratios):.0%}",
            ],
        ],
    )
    print(
        f"Goal: at least 25% of COPY: {verdict(ratio >= 0.25)}. Memory: RSS "
        f"{rss_before:.0f} MB after warm-up, then after each run of {total:,} events "
        f"through the API: {' '.join(f'{r:.0f}' for r in rss_runs)} MB."
    )
