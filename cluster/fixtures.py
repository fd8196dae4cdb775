"""The drills' data, made through the app's own models and services (Django set up, as the app
role, against the cluster's primary).

Once per scale: ten client organisations of a hundred people and ``scale`` usage events over
90 days, written by ``generate_series`` on the primary, then rolled up day by day as beat
would. Every run: signed-in sessions (second step passed) for client admins and a DPO, and
an integration key of the first organisation; these go to ``drill/people.json`` (0600) for
locust.
"""

import datetime
import json
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiScope, Organisation, OrganisationAPIKey, Role, User
from bench.generate import FEATURES, PURPOSES, bench_organisations
from cluster.topology import PATHS
from cluster.verdicts import say as progress
from usage.models import UsageEvent
from usage.partitions import partitions_ensure
from usage.tasks import rollup_usage

DAYS = 90
ORGANISATIONS = 10
USERS_EACH = 100
CHUNK = 1_000_000
# One person of the second organisation holds a share of the events: their access package is
# big enough for a worker to be killed while it builds.
SUBJECT_EMAIL = "subject@bench-1.example"
SUBJECT_SHARE = 20  # one event in this many, and at least SUBJECT_EVENTS
SUBJECT_EVENTS = 400_000
ADMINS = 8
DPO_EMAIL = "dpo@cluster.example"
BACKEND = "django.contrib.auth.backends.ModelBackend"

EVENTS_SQL = """
WITH people AS (
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(organisation_id ORDER BY id) AS orgs
    FROM accounts_user WHERE id = ANY(%(user_ids)s)
)
INSERT INTO usage_usageevent (
    occurred_at, organisation_id, user_id, session_hash, ip_address, user_agent_family,
    action, feature, path, status_code, duration_ms, purpose, event_id
)
SELECT %(end)s - random() * %(span)s, people.orgs[pick.k], people.ids[pick.k], '', NULL,
    'Chrome', 'page_view', (%(features)s::text[])[1 + floor(random() * %(n_features)s)::int],
    '/app/', 200, 5 + floor(random() * 895)::int,
    (%(purposes)s::text[])[1 + floor(random() * %(n_purposes)s)::int], ''
FROM people
CROSS JOIN generate_series(1, %(rows)s) AS g
CROSS JOIN LATERAL (
    SELECT 1 + floor(random() * cardinality(people.ids))::int AS k WHERE g IS NOT NULL
) AS pick
"""


DATA_STATE = PATHS.drill / "data.json"


def _generated_scale() -> int:
    """The scale whose events and rollups were made in full (the drills add events of their
    own afterwards: ingestion batches, page views)."""
    if not DATA_STATE.exists():
        return 0
    state = json.loads(DATA_STATE.read_text())
    present = UsageEvent.objects.filter(organisation__slug__startswith="bench-", event_id="")
    return state["scale"] if present.exists() else 0


def data_generated(scale: int) -> None:
    DATA_STATE.parent.mkdir(parents=True, exist_ok=True)
    DATA_STATE.write_text(json.dumps({"scale": scale, "at": timezone.now().isoformat()}))


def _events_write(user_ids: list[int], rows: int, end: datetime.datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            EVENTS_SQL,
            {
                "user_ids": user_ids,
                "end": end,
                "span": datetime.timedelta(days=DAYS),
                "features": FEATURES,
                "n_features": len(FEATURES),
                "purposes": PURPOSES,
                "n_purposes": len(PURPOSES),
                "rows": rows,
            },
        )


def events_generate(scale: int) -> bool:
    """``scale`` events over the last 90 days, unless they are there already (then False)."""
    organisations = bench_organisations(ORGANISATIONS, USERS_EACH)
    subject, _ = User.objects.get_or_create(
        email=SUBJECT_EMAIL,
        defaults={"full_name": "Drill Subject", "organisation": organisations[1][0]},
    )
    if _generated_scale() == scale:
        progress(f"reusing the {scale:,} usage events generated before")
        return False
    DATA_STATE.unlink(missing_ok=True)
    progress(f"generating {scale:,} usage events over {DAYS} days")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE usage_usageevent, usage_dailyusage, usage_dailyuserusage, "
            "usage_dailyfeatureusage, usage_tasksession, usage_ingestedeventid"
        )
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    partitions_ensure(start=(end - datetime.timedelta(days=DAYS + 1)).date(), months=5)
    everyone = [pk for _, users in organisations for pk in users if pk != subject.pk]
    subject_rows = min(scale, max(scale // SUBJECT_SHARE, SUBJECT_EVENTS))
    _events_write([subject.pk], subject_rows, end)
    written = subject_rows
    while written < scale:
        rows = min(CHUNK, scale - written)
        _events_write(everyone, rows, end)
        written += rows
        progress(f"{written:,} / {scale:,} events")
    return True


def rollups_build() -> None:
    """Every day rolled up by the workers, as beat's rollup task does, several at once."""
    today = timezone.localdate()
    results = [
        rollup_usage.delay((today - datetime.timedelta(days=n)).isoformat())
        for n in range(DAYS + 2)
    ]
    for n, result in enumerate(results, start=1):
        result.get(timeout=3600)
        if n % 15 == 0:
            progress(f"rolled up {n} of {len(results)} days")


def _device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Drill", confirmed=True)


def session_open(user: User) -> str:
    """A session signed in with the second step passed, as the login pages leave it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = _device(user).persistent_id
    store.create()
    return store.session_key


def people_write() -> dict:
    """Fresh sessions and a fresh integration key for this run, written for locust."""
    organisation = Organisation.objects.get(slug="bench-0")
    admins = []
    for n in range(ADMINS):
        admin, _ = User.objects.get_or_create(
            email=f"admin{n}@bench-0.example",
            defaults={
                "full_name": f"Drill Admin {n}",
                "organisation": organisation,
                "role": Role.CLIENT_ADMIN,
            },
        )
        admins.append(admin)
    dpo, _ = User.objects.get_or_create(
        email=DPO_EMAIL, defaults={"full_name": "Drill DPO", "role": Role.DPO}
    )
    _, key = OrganisationAPIKey.objects.create_key(
        organisation=organisation,
        name=f"Drill {timezone.now():%Y-%m-%d %H:%M:%S}",
        scopes=[ApiScope.USAGE_READ, ApiScope.USAGE_WRITE, ApiScope.DSAR],
    )
    today = timezone.localdate()
    people = {
        "organisation": organisation.slug,
        "organisation_id": organisation.pk,
        "users": list(organisation.users.values_list("pk", flat=True)[:USERS_EACH]),
        "admin_sessions": [session_open(admin) for admin in admins],
        "dpo_sessions": [session_open(dpo) for _ in range(2)],
        "api_key": key,
        "report_start": (today - datetime.timedelta(days=DAYS - 1)).isoformat(),
        "report_end": today.isoformat(),
        "month_start": (today - datetime.timedelta(days=29)).isoformat(),
    }
    PATHS.drill.mkdir(parents=True, exist_ok=True)
    target = PATHS.drill / "people.json"
    target.touch(mode=0o600)
    target.write_text(json.dumps(people, indent=2))
    return people
