"""The per-request floor (issue 19): what every page and API call pays before its own work.

    python -m bench request_floor      # database privacydesk_bench_request_floor

What a user feels: two gunicorn servers started in this one run, each with two sync workers on
127.0.0.1 — a raw WSGI "hello" (bench/hello_wsgi.py), the least any request through gunicorn
costs, and the project (config.wsgi) against the bench database and Redis. Four client threads
request each URL back to back for ROUND_SECONDS, each request on a connection of its own (the
sync worker closes it), and the URLs take turns for ROUNDS rounds, so that a change in the
machine's load falls on all of them alike. The table shows requests per second, the whole
request's p50 and p95 as the client saw them, the CPU the server's processes used per answered
request (what another program's load on the machine changes least), beside what PostgreSQL and
Redis, the client threads and the whole machine spent per request, and each rate as a share
of hello's. The machine's load average is printed with it: on a busy machine the client, the
database and the workers share the cores, and every figure but the CPU per request suffers. A
line under the table says how much of the machine's CPU the goal's rate leaves the server per
request, once PostgreSQL, Redis and the client have taken theirs.

Goal: an authenticated DRF read — ``GET /api/v1/users/`` (the first page, PAGE_ROWS users) with
an API key — answers at least GOAL_SHARE of hello's requests per second. The one-row page and
``/healthz`` are shown beside it, and a lower bound: the same read done by the project's own
functions with no framework around them (bench/bare_users_wsgi.py, its body checked to be the
API's byte for byte), which shows the best share this machine allows the read's own work.

The servers' API throttle is set out of reach (THROTTLE_RATE) so that no request is refused; its
window is one second, so a throttle that keeps a history of requests keeps no more than the
production default (1,200 a minute) would.

Then the narrower slice, in this process: the one-row page and the first page through Django's
WSGI handler, no server and no socket: wall and CPU milliseconds per request, and what one
request sends to PostgreSQL and Redis (queries, Redis round trips, Redis clients built).
"""

import http.client
import io
import os
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager

from bench.common import progress, table, verdict
from bench.servers import Gunicorn, Load, drive

ROUNDS = 3
ROUND_SECONDS = 4.0
WARM_UP_SECONDS = 1.0
CLIENT_THREADS = 4
WORKERS = 2
PAGE_ROWS = 50
GOAL_SHARE = 0.25
THROTTLE_RATE = "100000/second"
IN_PROCESS_REQUESTS = 300
USERS_URL = "/api/v1/users/"
ONE_ROW_URL = "/api/v1/users/?page_size=1"
BARE_READ = f"the same {PAGE_ROWS} rows, no framework (lower bound)"


def _organisation_and_key() -> str:
    """An organisation with more users than a page, and a fresh key with scope "users"."""
    from accounts.models import ApiScope, User
    from accounts.services.api_keys import api_key_create
    from bench.generate import bench_organisations
    from common.roles import Role

    ((organisation, _),) = bench_organisations(1, PAGE_ROWS + 10)
    admin, _ = User.objects.get_or_create(
        email=f"admin@{organisation.slug}.example",
        defaults={
            "full_name": "Floor Admin",
            "organisation": organisation,
            "role": Role.CLIENT_ADMIN,
            "password": "!",
        },
    )
    _, plain = api_key_create(
        organisation=organisation, name="bench", scopes=[ApiScope.USERS], by=admin
    )
    return plain


def _targets(hello: Gunicorn, project: Gunicorn, bare: Gunicorn, key: str) -> list[tuple]:
    api_key = {"Authorization": f"Api-Key {key}"}
    return [
        ("raw WSGI hello", hello, "/", {}),
        (f"GET {USERS_URL} ({PAGE_ROWS} rows), API key", project, USERS_URL, api_key),
        (f"GET {ONE_ROW_URL}, API key", project, ONE_ROW_URL, api_key),
        ("GET /healthz", project, "/healthz", {}),
        (BARE_READ, bare, USERS_URL, api_key),
    ]


def _same_answer(project: Gunicorn, bare: Gunicorn, key: str) -> None:
    """The lower bound must do the read's whole work: its body is the API's, byte for byte."""
    bodies = []
    for server in (project, bare):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Host": "localhost", "Authorization": f"Api-Key {key}"}
        connection.request("GET", USERS_URL, headers=headers)
        bodies.append(connection.getresponse().read())
        connection.close()
    if bodies[0] != bodies[1]:
        raise RuntimeError(f"bench/bare_users_wsgi.py answers otherwise than {USERS_URL}")


def _through_gunicorn(key: str) -> dict[str, Load]:
    from usage.buffer import buffer_drain

    options = ("--workers", str(WORKERS))
    loads: dict[str, Load] = {}
    with tempfile.TemporaryDirectory() as log_dir, ExitStack() as stack:
        hello = Gunicorn(
            "bench.hello_wsgi:application", name="hello", log_dir=log_dir, options=options
        )
        stack.callback(hello.stop)
        project = Gunicorn(
            "config.wsgi:application",
            name="project",
            log_dir=log_dir,
            options=options,
            env={"API_THROTTLE_USER": THROTTLE_RATE},
        )
        stack.callback(project.stop)
        bare = Gunicorn(
            "bench.bare_users_wsgi:application",
            name="bare",
            log_dir=log_dir,
            options=options,
            env={"API_THROTTLE_USER": THROTTLE_RATE},
        )
        stack.callback(bare.stop)
        hello.wait_ready("/")
        project.wait_ready()
        bare.wait_ready(USERS_URL, headers={"Authorization": f"Api-Key {key}"})
        _same_answer(project, bare, key)
        targets = _targets(hello, project, bare, key)
        progress("warming up")
        for _, server, path, headers in targets:
            drive(server, path, headers=headers, threads=CLIENT_THREADS, seconds=WARM_UP_SECONDS)
        for round_number in range(ROUNDS):
            # Each round starts with another URL, so none is always first after a drain.
            shift = round_number % len(targets)
            for name, server, path, headers in targets[shift:] + targets[:shift]:
                progress(f"round {round_number + 1} of {ROUNDS}: {name}")
                load = drive(
                    server, path, headers=headers, threads=CLIENT_THREADS, seconds=ROUND_SECONDS
                )
                loads.setdefault(name, Load()).add(load)
                buffer_drain()  # what the beat task does elsewhere: untimed here
    for name, load in loads.items():
        if load.failures:
            raise RuntimeError(f"{name}: {len(load.failures)} failed, e.g. {load.failures[0]}")
    return loads


@contextmanager
def _counting_traffic():
    """Count statements sent to PostgreSQL (Django's connection check among them), Redis
    round trips (one per command or pipeline) and Redis clients built."""
    import psycopg
    import redis
    from redis.connection import AbstractConnection

    counts = {"statements": 0, "round trips": 0, "clients built": 0}
    patched = [
        (psycopg.Cursor, "execute", "statements"),
        (AbstractConnection, "send_packed_command", "round trips"),
        (redis.Redis, "__init__", "clients built"),
    ]
    originals = [getattr(owner, name) for owner, name, _ in patched]

    def counting(original, what):
        def counted(*args, **kwargs):
            counts[what] += 1
            return original(*args, **kwargs)

        return counted

    for (owner, name, what), original in zip(patched, originals, strict=True):
        setattr(owner, name, counting(original, what))
    try:
        yield counts
    finally:
        for (owner, name, _), original in zip(patched, originals, strict=True):
            setattr(owner, name, original)


def _in_process(key: str, url: str) -> dict[str, float]:
    """One page through Django's WSGI handler: per-request cost and traffic."""
    from django.core.wsgi import get_wsgi_application

    from usage.buffer import buffer_drain

    application = get_wsgi_application()
    path, _, query = url.partition("?")

    def request() -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Api-Key {key}",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        status = []
        body = application(environ, lambda given, headers, exc_info=None: status.append(given))
        b"".join(body)
        body.close()  # request_finished: the usage events go to the buffer here
        if not status[0].startswith("200"):
            raise RuntimeError(f"GET {url} answered {status[0]}")

    for _ in range(30):
        request()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(IN_PROCESS_REQUESTS):
        request()
    wall = (time.perf_counter() - wall) / IN_PROCESS_REQUESTS * 1000
    cpu = (time.process_time() - cpu) / IN_PROCESS_REQUESTS * 1000
    with _counting_traffic() as counts:
        request()
    buffer_drain()
    return {"wall ms": wall, "CPU ms": cpu, **counts}


def _goal_budget(read: Load, bare: Load, hello_rate: float) -> str:
    """What the goal leaves the server: at GOAL_SHARE of hello's rate, the machine's cores have
    so much CPU per request, and PostgreSQL, Redis and the client take their part first."""
    cores = os.cpu_count() or 1
    rate = GOAL_SHARE * hello_rate
    budget = cores * 1000 / rate
    services = read.per_request_ms(read.services_cpu_seconds)
    client = read.per_request_ms(read.client_cpu_seconds)
    return (
        f"At the goal the read answers {rate:.0f} requests/s, and the machine's {cores} cores "
        f"have {budget:.2f} ms of CPU for each. PostgreSQL and Redis took {services:.2f} ms a "
        f"read, and the client {client:.2f} ms: that leaves the server "
        f"{budget - services - client:.2f} ms, where it spent {read.server_cpu_ms:.2f} ms. "
        f"With no framework around the same work, it spent {bare.server_cpu_ms:.2f} ms, and "
        f"the read answered at {bare.rate / hello_rate:.3f} of hello's rate."
    )


def run(scale: int | None = None) -> None:
    key = _organisation_and_key()
    load_before = os.getloadavg()[0]
    loads = _through_gunicorn(key)
    load_after = os.getloadavg()[0]
    hello_rate = loads["raw WSGI hello"].rate
    rows = []
    goal_name = next(name for name in loads if name.startswith(f"GET {USERS_URL} ("))
    for name, load in loads.items():
        share = load.rate / hello_rate
        goal = verdict(share >= GOAL_SHARE) if name == goal_name else ""
        rows.append(
            (
                name,
                len(load.latencies_ms),
                f"{load.rate:.0f}",
                f"{load.p(0.5):.1f}",
                f"{load.p(0.95):.1f}",
                f"{load.server_cpu_ms:.2f}",
                f"{load.per_request_ms(load.services_cpu_seconds):.2f}",
                f"{load.per_request_ms(load.client_cpu_seconds):.2f}",
                f"{load.per_request_ms(load.machine_cpu_seconds):.2f}",
                f"{share:.3f}",
                goal,
            )
        )
    table(
        f"Request floor: gunicorn --workers {WORKERS} (sync) on loopback, {CLIENT_THREADS} client "
        f"threads, {ROUNDS} rounds of {ROUND_SECONDS:.0f} s per URL (whole request, ms; "
        f"load average {load_before:.1f} before, {load_after:.1f} after)",
        [
            "request",
            "answered",
            "req/s",
            "p50",
            "p95",
            "server CPU/request",
            "PostgreSQL + Redis",
            "client",
            "whole machine",
            "share of hello",
            f">= {GOAL_SHARE}",
        ],
        rows,
    )
    print(_goal_budget(loads[goal_name], loads[BARE_READ], hello_rate), flush=True)
    # A key of its own, under the default throttle rate (the requests stay well within it).
    key = _organisation_and_key()
    rows = []
    for url in (ONE_ROW_URL, USERS_URL):
        progress(f"in process: {IN_PROCESS_REQUESTS} requests of {url}")
        slice_ = _in_process(key, url)
        rows.append(
            (
                url,
                f"{slice_['wall ms']:.2f}",
                f"{slice_['CPU ms']:.2f}",
                slice_["statements"],
                slice_["round trips"],
                slice_["clients built"],
            )
        )
    table(
        "In process (Django's WSGI handler, no server): one request, with an API key",
        [
            "request",
            "wall ms",
            "CPU ms",
            "PostgreSQL statements",
            "Redis round trips",
            "Redis clients built",
        ],
        rows,
    )
