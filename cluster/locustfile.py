"""The drills' load (locust, headless): a realistic mix through HAProxy, on loopback only.

Client admins read the console's users and the usage report page (ten million events behind
it); an integration reads the report by API (JSON and CSV), sends usage events in batches of
1,000, files rights requests and reads their status; the DPO works the back-office queue and
reads the dashboard and the usage aggregates.

Every request is written to ``requests.csv`` (when, which endpoint, status) and every
ingestion batch to ``batches.jsonl`` (its id, status and what the API said it stored), so that
the drills can count failures in a window and rows against responses. The run stops at
``CLUSTER_LOAD_MAX_REQUESTS`` requests whatever ``--run-time`` says.
"""

import csv
import datetime
import ipaddress
import itertools
import json
import os
import random
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

DRILL = Path(os.environ["CLUSTER_DRILL_DIR"])
PEOPLE = json.loads((DRILL / "people.json").read_text())
MAX_REQUESTS = int(os.environ.get("CLUSTER_LOAD_MAX_REQUESTS", "200000"))
RUN = os.environ.get("CLUSTER_RUN_ID") or uuid.uuid4().hex[:8]
BATCH = 1000
PERIOD = f"start={PEOPLE['report_start']}&end={PEOPLE['report_end']}"
# The staff aggregates read every organisation's rollups: a month, as the DPO reads them.
MONTH = f"start={PEOPLE['month_start']}&end={PEOPLE['report_end']}"

_batches = itertools.count(1)
_admin_sessions = itertools.cycle(PEOPLE["admin_sessions"])
_dpo_sessions = itertools.cycle(PEOPLE["dpo_sessions"])
_requests_file = (DRILL / "requests.csv").open("w", newline="", buffering=1)
_requests = csv.writer(_requests_file)
_requests.writerow(["started", "ended", "name", "status", "failed"])
_batches_file = (DRILL / "batches.jsonl").open("w", buffering=1)
_count = itertools.count(1)


@events.init.add_listener
def _loopback_only(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname or ""
    address = ipaddress.ip_address(socket.gethostbyname(host)) if host else None
    if address is None or not address.is_loopback:
        raise SystemExit(f"The drills' load goes to loopback only, not to {host!r}.")


@events.request.add_listener
def _record(name, response_time, response, exception, start_time=None, **kwargs):
    ended = time.time()
    started = start_time if start_time is not None else ended - response_time / 1000
    status = getattr(response, "status_code", 0) or 0
    failed = exception is not None or not 200 <= status < 400
    _requests.writerow([f"{started:.3f}", f"{ended:.3f}", name, status, int(failed)])
    if next(_count) >= MAX_REQUESTS and _runner:
        _runner[0].quit()


_runner: list = []


@events.test_start.add_listener
def _remember_runner(environment, **kwargs):
    _runner.append(environment.runner)


class SignedIn(HttpUser):
    """Someone working in the browser: each simulated user takes the next of the sessions the
    drill opened for their role."""

    abstract = True
    wait_time = between(1, 3)
    sessions: Iterator[str]

    def on_start(self):
        self.client.cookies.set("sessionid", next(self.sessions))


class ClientAdmin(SignedIn):
    weight = 3
    sessions = _admin_sessions

    @task(1)
    def users_list(self):
        self.client.get("/console/", name="console users")

    @task(3)
    def report_page(self):
        grouping = random.choice(["user", "feature", "day"])
        self.client.get(f"/console/usage/?{PERIOD}&group_by={grouping}", name="report page")


class Integration(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Authorization"] = f"Api-Key {PEOPLE['api_key']}"
        self.filed: list[str] = []

    @task(3)
    def report_api(self):
        grouping = random.choice(["user", "feature", "purpose"])
        self.client.get(f"/api/v1/usage/report/?{PERIOD}&group_by={grouping}", name="report API")

    @task(1)
    def report_csv(self):
        csv_report = f"/api/v1/usage/report/?{PERIOD}&group_by=day&format=csv"
        self.client.get(csv_report, name="report CSV")

    @task(3)
    def ingest(self):
        batch = f"{RUN}-{next(_batches)}"
        now = datetime.datetime.now(datetime.UTC)
        items = [
            {
                "event_id": f"{batch}-{n}",
                "occurred_at": (now - datetime.timedelta(seconds=n % 60)).isoformat(),
                "action": "api_call",
                "feature": random.choice(["search", "export", "reports", "api"]),
                "user_id": random.choice(PEOPLE["users"]),
                "duration_ms": random.randint(5, 900),
            }
            for n in range(BATCH)
        ]
        with self.client.post(
            "/api/v1/usage/events/", json=items, name="ingest 1000", catch_response=True
        ) as response:
            answer = {"batch": batch, "status": response.status_code}
            if response.status_code == 201:
                answer |= response.json()
            _batches_file.write(json.dumps(answer) + "\n")

    @task(1)
    def rights_request(self):
        response = self.client.post(
            "/api/v1/rights-requests/",
            json={
                "kind": "access",
                "requester_name": "Drill Requester",
                "requester_email": f"requester-{uuid.uuid4().hex[:10]}@example.test",
            },
            name="rights file",
        )
        if response.status_code == 201:
            self.filed.append(response.json()["reference"])
        if self.filed:
            reference = random.choice(self.filed[-20:])
            self.client.get(f"/api/v1/rights-requests/{reference}/", name="rights status")


class Dpo(SignedIn):
    weight = 1
    sessions = _dpo_sessions

    @task(2)
    def queue(self):
        self.client.get("/backoffice/requests/", name="backoffice queue")

    @task(1)
    def dashboard(self):
        self.client.get("/backoffice/", name="dashboard")

    @task(1)
    def aggregates(self):
        self.client.get(f"/backoffice/usage/?{MONTH}", name="aggregates")
