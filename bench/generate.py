"""Generate usage events at scale, streamed through COPY so memory stays flat."""

import datetime
import random

from django.db import connection
from django.utils import timezone

from bench.common import peak_rss_mb, progress
from usage.events import COLUMNS
from usage.partitions import partitions_ensure

FEATURES = ["dashboard", "reports", "export", "search", "settings", "billing", "api", "alerts"]
PURPOSES = ["analysis", "administration", "", "support"]
CHUNK = 100_000


def bench_organisations(count: int, users_each: int):
    from accounts.models import Organisation, User

    organisations = []
    for n in range(count):
        organisation, _ = Organisation.objects.get_or_create(
            slug=f"bench-{n}", defaults={"name": f"Bench Client {n}"}
        )
        existing = User.objects.filter(organisation=organisation).count()
        User.objects.bulk_create(
            [
                User(
                    email=f"u{i}@bench-{n}.example",
                    full_name=f"Bench User {n}-{i}",
                    organisation=organisation,
                    password="!",  # noqa: S106 (an unusable password)
                )
                for i in range(existing, users_each)
            ]
        )
        organisations.append((organisation, list(organisation.users.values_list("pk", flat=True))))
    return organisations


def generate_events(*, total: int, days: int, organisations, seed: int = 7) -> None:
    """Write ``total`` events spread over the last ``days`` days, in COPY chunks."""
    rng = random.Random(seed)
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = end - datetime.timedelta(days=days)
    months = (end.year - start.year) * 12 + end.month - start.month + 2
    partitions_ensure(start=start.date(), months=months)
    span = int((end - start).total_seconds())
    sql = f"COPY usage_usageevent ({', '.join(COLUMNS)}) FROM STDIN"
    written = 0
    with connection.cursor() as cursor:
        while written < total:
            size = min(CHUNK, total - written)
            with cursor.cursor.copy(sql) as copy:
                for _ in range(size):
                    organisation, users = organisations[rng.randrange(len(organisations))]
                    copy.write_row(
                        (
                            start + datetime.timedelta(seconds=rng.randrange(span)),
                            organisation.pk,
                            users[rng.randrange(len(users))],
                            "",
                            f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
                            "Chrome",
                            "page_view",
                            FEATURES[rng.randrange(len(FEATURES))],
                            "/app/",
                            200,
                            rng.randrange(5, 900),
                            PURPOSES[rng.randrange(len(PURPOSES))],
                            "",
                        )
                    )
            written += size
            progress(f"{written:,} / {total:,} events (peak RSS {peak_rss_mb():.0f} MB)")
