"""Login against a bare password check (issue 19): what a login costs beyond the hash.

    python -m bench login      # database privacydesk_bench_login

The real password hasher (Argon2, as config/settings.py sets it; the tests use a fast one).
In this one process, alternating so that a change in the machine's load falls on both:
- the baseline: ``check_password`` of the member's password against its stored hash;
- a login: the login form POSTed through Django's test client (the whole middleware stack,
  django-axes, the session, the suspicious-activity rules, the audit and usage records), by a
  member with no second step, from a new browser each time.

Goal: the login's median at most GOAL times the bare check's median. p95 is shown beside it,
and the narrower slice: what a login spends beyond its own password check (the login's time less
the hash it ran, timed inside it), which a busy machine's effect on Argon2 does not blur.
"""

import time
from contextlib import contextmanager

from bench.common import percentile, progress, table, verdict

SAMPLES = 40
WARM_UP = 3
GOAL = 1.2
EMAIL = "login@bench-login.example"
PASSWORD = "correct horse battery staple 19"  # noqa: S105 (a benchmark's own account)


def _member():
    from accounts.models import Organisation, User

    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-login", defaults={"name": "Bench Login Ltd"}
    )
    user, _ = User.objects.get_or_create(
        email=EMAIL, defaults={"full_name": "Login Member", "organisation": organisation}
    )
    user.set_password(PASSWORD)  # hashed with today's hasher and its parameters
    user.status = User.Status.ACTIVE
    user.save()
    return user


def _login(client) -> float:
    client.cookies.clear()  # a new browser: no session, no consent cookie
    started = time.perf_counter()
    response = client.post("/accounts/login/", {"username": EMAIL, "password": PASSWORD})
    elapsed = time.perf_counter() - started
    if response.status_code != 302 or response["Location"].startswith("/accounts/login"):
        raise RuntimeError(f"the login did not succeed: {response.status_code}")
    return elapsed


def _check(encoded: str) -> float:
    from django.contrib.auth.hashers import check_password

    started = time.perf_counter()
    if not check_password(PASSWORD, encoded):
        raise RuntimeError("the password does not match its hash")
    return time.perf_counter() - started


@contextmanager
def _hash_times():
    """The time each password check took, wherever it ran (the bare check, or inside a login)."""
    from django.contrib.auth import hashers

    times = []
    verify = hashers.Argon2PasswordHasher.verify

    def timed_verify(self, password, encoded):
        started = time.perf_counter()
        try:
            return verify(self, password, encoded)
        finally:
            times.append(time.perf_counter() - started)

    hashers.Argon2PasswordHasher.verify = timed_verify
    try:
        yield times
    finally:
        hashers.Argon2PasswordHasher.verify = verify


def run(scale: int | None = None) -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import identify_hasher
    from django.test import Client

    # One handler, as a server process has: a new test client would load the middleware (and
    # WhiteNoise's scan of the static files) again for every login.
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="192.0.2.19")
    member = _member()
    hasher = identify_hasher(member.password)
    progress(f"warming up ({hasher.algorithm}, the first of PASSWORD_HASHERS)")
    for _ in range(WARM_UP):
        _check(member.password)
        _login(client)
    bare, login, beyond = [], [], []
    progress(f"{SAMPLES} logins and {SAMPLES} bare checks, alternating")
    with _hash_times() as hashes:
        for _ in range(SAMPLES):
            bare.append(_check(member.password) * 1000)
            hashes.clear()
            login.append(_login(client) * 1000)
            beyond.append(login[-1] - sum(hashes) * 1000)
    ratio_p50 = percentile(login, 0.5) / percentile(bare, 0.5)
    ratio_p95 = percentile(login, 0.95) / percentile(bare, 0.95)
    table(
        f"Login POST against a bare check_password ({hasher.algorithm}: "
        f"{settings.PASSWORD_HASHERS[0].rsplit('.', 1)[1]}), {SAMPLES} each (ms)",
        ["", "p50", "p95"],
        [
            (
                "bare check_password",
                f"{percentile(bare, 0.5):.1f}",
                f"{percentile(bare, 0.95):.1f}",
            ),
            (
                "login POST (test client)",
                f"{percentile(login, 0.5):.1f}",
                f"{percentile(login, 0.95):.1f}",
            ),
            ("login / bare", f"{ratio_p50:.3f}", f"{ratio_p95:.3f}"),
            ("the login beyond its own check", *_p50_p95(beyond)),
        ],
    )
    print(f"Goal: login p50 at most {GOAL} x the bare check's: {verdict(ratio_p50 <= GOAL)}.")


def _p50_p95(samples: list[float]) -> tuple[str, str]:
    return f"{percentile(samples, 0.5):.1f}", f"{percentile(samples, 0.95):.1f}"
