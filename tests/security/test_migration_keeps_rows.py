"""Moving backup codes, sessions and investigations from accounts to security keeps every row.

GIVEN a PostgreSQL database at the migrations before the move (accounts 0004, breaches 0001),
with a row in each moved table, written through the historical accounts models
WHEN the migrations of the move run (security 0001, breaches 0002, accounts 0005)
THEN every row is found through security's models, the breach still names its investigation,
and the content types moved with the models.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from breaches.models import Breach
from security.models import (
    BackupCode,
    BackupCodeDevice,
    Investigation,
    InvestigationNote,
    UserSession,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("requires_postgres")]

BEFORE_THE_MOVE = [("accounts", "0004_email_changes"), ("breaches", "0001_initial")]


def _migrate_back_to_before_the_move(executor: MigrationExecutor) -> None:
    # security's migrations, and what depends on them (breaches 0002, accounts 0005), unapplied.
    executor.migrate([("security", None), *BEFORE_THE_MOVE])


def _seed_old_tables(old_apps) -> dict:
    Organisation = old_apps.get_model("accounts", "Organisation")
    User = old_apps.get_model("accounts", "User")
    organisation = Organisation.objects.create(name="Acme", slug="acme-moved")
    user = User.objects.create(
        email="moved@example.test", full_name="Moved Person", organisation=organisation
    )
    dpo = User.objects.create(email="dpo-moved@example.test", full_name="Dee Pio", role="dpo")
    device = old_apps.get_model("accounts", "BackupCodeDevice").objects.create(
        user=user, name="Backup codes", confirmed=True
    )
    code = old_apps.get_model("accounts", "BackupCode").objects.create(
        device=device, code_hash="a" * 64
    )
    session = old_apps.get_model("accounts", "UserSession").objects.create(
        user=user, session_key="k" * 40, ip_address="192.0.2.1", device="Firefox on Linux"
    )
    investigation = old_apps.get_model("accounts", "Investigation").objects.create(
        user=user,
        organisation=organisation,
        rule="lockout",
        severity="medium",
        summary="Locked out",
        evidence=[{"event": "locked_out", "ip": "192.0.2.1"}],
    )
    note = old_apps.get_model("accounts", "InvestigationNote").objects.create(
        investigation=investigation, author=dpo, text="Rang the user."
    )
    breach = old_apps.get_model("breaches", "Breach").objects.create(
        title="From INV", aware_at=timezone.now(), description="x", investigation=investigation
    )
    content_type = old_apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="accounts", model="investigation"
    )[0]
    return {
        "user": user.pk,
        "device": device.pk,
        "code": code.pk,
        "session": session.pk,
        "investigation": investigation.pk,
        "note": note.pk,
        "breach": breach.pk,
        "content_type": content_type.pk,
    }


def test_moving_the_security_models_keeps_every_row():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        _migrate_back_to_before_the_move(executor)
        old_apps = executor.loader.project_state(BEFORE_THE_MOVE).apps
        ids = _seed_old_tables(old_apps)
    finally:
        # Whatever happens above, the next test finds the database at the latest migrations.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    assert BackupCodeDevice.objects.get(pk=ids["device"]).user_id == ids["user"]
    assert BackupCode.objects.get(pk=ids["code"]).device_id == ids["device"]
    session = UserSession.objects.get(pk=ids["session"])
    assert (session.user_id, session.session_key) == (ids["user"], "k" * 40)
    investigation = Investigation.objects.get(pk=ids["investigation"])
    assert (investigation.user_id, investigation.rule) == (ids["user"], "lockout")
    assert investigation.evidence == [{"event": "locked_out", "ip": "192.0.2.1"}]
    assert InvestigationNote.objects.get(pk=ids["note"]).investigation_id == ids["investigation"]
    assert Breach.objects.get(pk=ids["breach"]).investigation == investigation
    content_type = ContentType.objects.get(pk=ids["content_type"])
    assert (content_type.app_label, content_type.model) == ("security", "investigation")
    assert content_type.model_class() is Investigation
