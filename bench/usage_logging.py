"""Logging overhead: an authenticated page's latency with usage logging on against off.

What a user sees: the app is served by gunicorn on 127.0.0.1, twice — one server started with
USAGE_LOGGING_ENABLED=0 (the baseline) and one with =1, otherwise identical (one worker with one
thread each, against the bench database and Redis). A member is logged in through a session in
the bench database, and the bench times authenticated GETs over one kept-alive HTTP connection
per server. gunicorn's sync worker closes the connection after every response, so the servers
run the gthread worker with a single thread: requests are still served one at a time, as by a
sync worker, but the connection is kept alive and no TCP set-up is timed.

Each page is measured two ways:
- "paced": a short untimed pause between requests, as between a user's clicks, so the worker
  has finished the work it does after a response (handing the events to the buffer) before the
  next request arrives. This is the latency a user sees, and what the goal is about.
- "back-to-back": the next request is sent as soon as the previous response is read, so it
  queues behind that after-response work: this shows what logging costs the worker, not a user.

After a warm-up of both servers, blocks of BLOCK requests alternate on/off/off/on (so a drift in
the machine's speed falls on both sides alike) until each side has REQUESTS samples. The buffer
is drained between blocks, untimed, as the beat task would do it elsewhere.

The former in-process measurement (django.test.Client, no server, no network; the test client
closes the response inside the timed call) is kept as a cheap last row for comparison.
"""

import http.client
import tempfile
import time
from contextlib import ExitStack

from django.conf import settings
from django.test import Client, override_settings

from bench.common import percentile, progress, table, timed, verdict
from bench.servers import Gunicorn

REQUESTS = 1500
BLOCK = 25
WARM_UP = 200
PAUSE_SECONDS = 0.002
PAGES = [("/privacy/", "light page"), ("/account/security/", "product page")]
IN_PROCESS_PAGE = "/privacy/"
GOAL = 1.05
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)


def _member():
    from accounts.models import Organisation, User

    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-logging", defaults={"name": "Bench Logging Ltd"}
    )
    user, _ = User.objects.get_or_create(
        email="logging@bench.example",
        defaults={"full_name": "Bench Member", "organisation": organisation},
    )
    return user


def _session_cookie(user) -> str:
    """A session for the member in the bench database, as the servers will read it."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _server(*, logging_enabled: bool, log_dir: str) -> Gunicorn:
    return Gunicorn(
        "config.wsgi:application",
        name=f"logging-{int(logging_enabled)}",
        log_dir=log_dir,
        options=(
            *("--workers", "1", "--worker-class", "gthread", "--threads", "1"),
            *("--keep-alive", "300"),
        ),
        env={"USAGE_LOGGING_ENABLED": "1" if logging_enabled else "0"},
    )


def _getter(port: int, cookie: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": "localhost", "Cookie": cookie, "User-Agent": USER_AGENT}

    def get(path: str) -> None:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:  # a redirect to the login page would time the wrong page
            raise RuntimeError(f"GET {path} answered {response.status}, not 200")
        if response.will_close:
            raise RuntimeError("the server closed the connection: it is not kept alive")

    return get, connection


def _interleaved(get_by_side, path: str, *, pause: float) -> dict[bool, list[float]]:
    """REQUESTS latencies in ms per side (True: logging on), in alternating blocks."""
    from usage.buffer import buffer_drain

    samples = {True: [], False: []}
    order = (True, False, False, True)
    for block in range(REQUESTS * 2 // BLOCK):  # bounded: exactly REQUESTS per side
        enabled = order[block % len(order)]
        get = get_by_side[enabled]
        for _ in range(BLOCK):
            samples[enabled].append(timed(lambda get=get: get(path)) * 1000)
            if pause:
                time.sleep(pause)
        time.sleep(0.01)  # let the last request's after-response work finish before draining
        buffer_drain()
    return samples


def _in_process(member) -> dict[bool, list[float]]:
    from usage.buffer import buffer_drain

    client = Client(HTTP_HOST="localhost")
    client.force_login(member)
    samples = {True: [], False: []}
    for enabled in (True, False):  # templates, URL resolver, ua-parser, connections, caches
        with override_settings(USAGE_LOGGING_ENABLED=enabled):
            for _ in range(WARM_UP):
                client.get(IN_PROCESS_PAGE)
    buffer_drain()
    order = (True, False, False, True)
    for block in range(REQUESTS * 2 // BLOCK):
        enabled = order[block % len(order)]
        with override_settings(USAGE_LOGGING_ENABLED=enabled):
            for _ in range(BLOCK):
                samples[enabled].append(timed(lambda: client.get(IN_PROCESS_PAGE)) * 1000)
        buffer_drain()
    return samples


def _row(label: str, samples: dict[bool, list[float]], *, goal: bool) -> tuple[list, bool]:
    off_p50, off_p95 = percentile(samples[False], 0.5), percentile(samples[False], 0.95)
    on_p50, on_p95 = percentile(samples[True], 0.5), percentile(samples[True], 0.95)
    ratio_p50, ratio_p95 = on_p50 / off_p50, on_p95 / off_p95
    met = ratio_p50 <= GOAL and ratio_p95 <= GOAL
    row = [
        label,
        f"{off_p50:.3f}",
        f"{on_p50:.3f}",
        f"{ratio_p50:.3f}",
        f"{off_p95:.3f}",
        f"{on_p95:.3f}",
        f"{ratio_p95:.3f}",
        verdict(met) if goal else "(not the goal)",
    ]
    return row, met


def run(scale=None) -> None:
    from usage.buffer import buffer_drain

    member = _member()
    cookie = _session_cookie(member)
    rows, goal_met = [], []
    with tempfile.TemporaryDirectory() as log_dir, ExitStack() as stack:
        servers = {}
        for enabled in (False, True):
            server = _server(logging_enabled=enabled, log_dir=log_dir)
            stack.callback(server.stop)  # registered at once: a failed start still stops both
            servers[enabled] = server
        for server in servers.values():
            server.wait_ready()
        get_by_side = {}
        for enabled, server in servers.items():
            get, connection = _getter(server.port, cookie)
            stack.callback(connection.close)
            get_by_side[enabled] = get
        progress("warming up both servers")
        for path, _ in PAGES:
            for get in get_by_side.values():
                for _ in range(WARM_UP):
                    get(path)
        time.sleep(0.01)
        buffer_drain()
        for path, name in PAGES:
            for mode, pause in (("paced", PAUSE_SECONDS), ("back-to-back", 0.0)):
                progress(f"GET {path} {mode}: {REQUESTS} requests each way, blocks of {BLOCK}")
                samples = _interleaved(get_by_side, path, pause=pause)
                row, met = _row(f"{name} {path}, gunicorn, {mode}", samples, goal=pause > 0)
                rows.append(row)
                if pause:
                    goal_met.append(met)
    progress(f"in-process GET {IN_PROCESS_PAGE}: {REQUESTS} requests each way")
    rows.append(
        _row(f"in-process test client {IN_PROCESS_PAGE}", _in_process(member), goal=False)[0]
    )
    table(
        f"Usage logging overhead, logged-in member, {REQUESTS} requests each way (ms)",
        ["", "off p50", "on p50", "p50 on/off", "off p95", "on p95", "p95 on/off", "goal"],
        rows,
    )
    print(
        f"Goal: at most 5% slower (on/off <= {GOAL}) at p50 and p95, in the latency a user "
        f"sees (gunicorn, paced rows): {verdict(all(goal_met))} "
        f"({sum(goal_met)} of {len(goal_met)} pages)."
    )
