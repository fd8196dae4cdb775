"""Ingestion: events per second through the batch API, against raw COPY of the same rows."""

import datetime
import json
import time
import uuid

import psycopg
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.common import peak_rss_mb, progress, table, verdict
from usage.events import COLUMNS, event_row

BATCHES = 40
BATCH_SIZE = 1000


def _batches(organisation, user_ids, run: str):
    now = timezone.now()
    for b in range(BATCHES):
        yield [
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
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36",
            }
            for i in range(BATCH_SIZE)
        ]


def run(scale=None) -> None:
    from accounts.models import OrganisationAPIKey
    from bench.generate import bench_organisations

    organisation, user_ids = bench_organisations(1, 100)[0]
    _, plain = OrganisationAPIKey.objects.create_key(
        organisation=organisation, name="bench", scopes=["usage:write"]
    )
    client = Client(HTTP_HOST="localhost")
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}
    total = BATCHES * BATCH_SIZE
    rss_before = peak_rss_mb()

    bodies = [json.dumps(batch) for batch in _batches(organisation, user_ids, uuid.uuid4().hex)]
    progress(f"API: {BATCHES} batches of {BATCH_SIZE}")
    started = time.perf_counter()
    for body in bodies:
        response = client.post(
            "/api/v1/usage/events/", body, content_type="application/json", **headers
        )
        assert response.status_code == 201, response.content[:300]
    api_seconds = time.perf_counter() - started

    rows = [
        event_row({**item, "organisation_id": organisation.pk, "user_agent_family": "Chrome"})
        for batch in _batches(organisation, user_ids, uuid.uuid4().hex)
        for item in batch
    ]
    progress(f"raw COPY of the same {total:,} rows")
    settings = connection.settings_dict
    dsn = f"host={settings['HOST']} port={settings['PORT'] or 5432} dbname={settings['NAME']} "
    dsn += f"user={settings['USER']}"
    with psycopg.connect(dsn) as raw:
        started = time.perf_counter()
        with raw.cursor().copy(f"COPY usage_usageevent ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
        copy_seconds = time.perf_counter() - started

    api_rate, copy_rate = total / api_seconds, total / copy_seconds
    ratio = api_rate / copy_rate
    table(
        f"Usage ingestion: {total:,} events",
        ["", "seconds", "events/s"],
        [
            ["raw psycopg COPY (baseline)", f"{copy_seconds:.2f}", f"{copy_rate:,.0f}"],
            ["POST /api/v1/usage/events/", f"{api_seconds:.2f}", f"{api_rate:,.0f}"],
            ["API / COPY", "", f"{ratio:.0%}"],
        ],
    )
    print(
        f"Goal: at least 25% of COPY: {verdict(ratio >= 0.25)}. "
        f"Peak RSS {peak_rss_mb():.0f} MB (was {rss_before:.0f} MB before)."
    )
