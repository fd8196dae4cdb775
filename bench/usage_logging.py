"""Logging overhead: an authenticated page's latency with usage logging on against off."""

from django.test import Client, override_settings

from bench.common import percentile, progress, table, timed, verdict

REQUESTS = 600
BLOCK = 50
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
    for _ in range(20):  # warm both paths: templates, URL resolver, ua-parser, connections
        client.get(PAGE)
    progress(f"{REQUESTS} requests each way, alternating blocks of {BLOCK}")
    for block in range(REQUESTS * 2 // BLOCK):
        enabled = block % 2 == 0
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
            ["logging off (baseline)", f"{off_p50:.2f}", f"{off_p95:.2f}"],
            ["logging on", f"{on_p50:.2f}", f"{on_p95:.2f}"],
            ["on / off", f"{ratio_p50:.3f}", f"{ratio_p95:.3f}"],
        ],
    )
    print(f"Goal: at most 5% slower (ratio <= 1.05): {verdict(ratio_p50 <= 1.05)} at p50.")
