"""Logging overhead: an authenticated page's latency with usage logging on against off.

After a warm-up of both paths, blocks of BLOCK requests alternate on/off/off/on (so a drift in
the machine's speed falls on both sides alike) until each side has REQUESTS samples. The buffer
is drained between blocks, untimed, as the beat task would do it elsewhere.
"""

from django.test import Client, override_settings

from bench.common import percentile, progress, table, timed, verdict

REQUESTS = 1500
BLOCK = 25
WARM_UP = 100
PAGE = "/privacy/"


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


def run(scale=None) -> None:
    from usage.buffer import buffer_drain

    client = Client(HTTP_HOST="localhost")
    client.force_login(_member())
    samples = {True: [], False: []}
    for enabled in (True, False):  # templates, URL resolver, ua-parser, connections, caches
        with override_settings(USAGE_LOGGING_ENABLED=enabled):
            for _ in range(WARM_UP):
                client.get(PAGE)
    buffer_drain()
    progress(f"{REQUESTS} requests each way, in alternating blocks of {BLOCK}")
    order = (True, False, False, True)
    for block in range(REQUESTS * 2 // BLOCK):
        enabled = order[block % len(order)]
        with override_settings(USAGE_LOGGING_ENABLED=enabled):
            for _ in range(BLOCK):
                samples[enabled].append(timed(lambda: client.get(PAGE)) * 1000)
        buffer_drain()
    off_p50, off_p95 = percentile(samples[False], 0.5), percentile(samples[False], 0.95)
    on_p50, on_p95 = percentile(samples[True], 0.5), percentile(samples[True], 0.95)
    ratio_p50, ratio_p95 = on_p50 / off_p50, on_p95 / off_p95
    table(
        f"Usage logging overhead: GET {PAGE} as a logged-in member ({REQUESTS} requests each)",
        ["", "p50 ms", "p95 ms"],
        [
            ["logging off (baseline)", f"{off_p50:.3f}", f"{off_p95:.3f}"],
            ["logging on", f"{on_p50:.3f}", f"{on_p95:.3f}"],
            ["on - off", f"{on_p50 - off_p50:+.3f}", f"{on_p95 - off_p95:+.3f}"],
            ["on / off", f"{ratio_p50:.3f}", f"{ratio_p95:.3f}"],
        ],
    )
    print(
        "Goal: at most 5% slower (ratio <= 1.05): "
        f"p50 {verdict(ratio_p50 <= 1.05)}, p95 {verdict(ratio_p95 <= 1.05)}."
    )
