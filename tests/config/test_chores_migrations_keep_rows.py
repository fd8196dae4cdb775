"""Issue 14's housekeeping migrations keep every row and mark what is already due.

GIVEN a PostgreSQL database before accounts 0007 and security 0002, with invitations (lapsed,
live, accepted) and investigations (a provisional suspension, an ordinary one)
WHEN the migrations run
THEN every row is there; only the lapsed, unaccepted invitation is marked expired (at its
expiry); the old suspension counts as alerted, so the beat does not mail it as new; and the
invitations retention policy is seeded.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Invitation
from retention.models import RetentionPolicy
from security.models import Investigation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("requires_postgres")]

BEFORE = [("accounts", "0006_security_models_moved"), ("security", "0001_initial")]


def _seed(old_apps) -> dict:
    Organisation = old_apps.get_model("accounts", "Organisation")
    User = old_apps.get_model("accounts", "User")
    Invitation = old_apps.get_model("accounts", "Invitation")
    Investigation = old_apps.get_model("security", "Investigation")
    organisation = Organisation.objects.create(name="Acme", slug="acme-chores")
    now = timezone.now()

    def invitation(n, *, created, accepted=False):
        user = User.objects.create(
            email=f"invited{n}@example.test", full_name="Invited", organisation=organisation
        )
        return Invitation.objects.create(
            user=user,
            nonce=f"nonce-{n}",
            created_at=created,
            expires_at=created + timedelta(hours=72),
            accepted_at=created if accepted else None,
        ).pk

    ids = {
        "lapsed": invitation(1, created=now - timedelta(days=5)),
        "live": invitation(2, created=now - timedelta(hours=1)),
        "accepted": invitation(3, created=now - timedelta(days=5), accepted=True),
    }
    suspended_user = User.objects.get(email="invited1@example.test")
    common = {"user": suspended_user, "organisation": organisation, "summary": "x"}
    ids["suspension"] = Investigation.objects.create(
        rule="many_ips_in_hour",
        severity="high",
        account_suspended=True,
        review_due_at=now - timedelta(hours=2),
        opened_at=now - timedelta(hours=26),
        **common,
    ).pk
    ids["ordinary"] = Investigation.objects.create(rule="lockout", severity="medium", **common).pk
    return ids


def test_the_housekeeping_migrations_keep_every_row():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old_apps = executor.loader.project_state(BEFORE).apps
        ids = _seed(old_apps)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    lapsed = Invitation.objects.get(pk=ids["lapsed"])
    assert lapsed.expired_at == lapsed.expires_at
    assert Invitation.objects.get(pk=ids["live"]).expired_at is None
    assert Invitation.objects.get(pk=ids["accepted"]).expired_at is None
    suspension = Investigation.objects.get(pk=ids["suspension"])
    assert suspension.staff_alerted_at == suspension.opened_at
    assert suspension.review_reminder_sent_at is None
    assert Investigation.objects.get(pk=ids["ordinary"]).staff_alerted_at is None
    assert RetentionPolicy.objects.filter(category="invitations").exists()
