"""The test dataset is development and testing (the analytics purpose): people whose processing
is restricted, or who objected to analytics, are not in it at all, and rows that only point at
them lose the link so that the dataset still loads."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Invitation, PurposeObjection, User
from datamap.purposes import Purpose
from tests.factories import InvestigationFactory, UserFactory
from usage.models import UsageEvent

KEY = "a-test-key-of-some-length-0123456789"


def used(user):
    UsageEvent.objects.create(
        occurred_at=timezone.now(),
        organisation=user.organisation,
        user=user,
        ip_address="81.2.69.142",
        action="view",
        feature="reports",
    )


@pytest.mark.django_db(transaction=True)
def test_restricted_and_objecting_people_are_left_out_and_the_dataset_still_loads(
    monkeypatch, tmp_path
):
    """GIVEN three people who used the product: one restricted, one objecting to analytics,
    one neither; the restricted one invited the third and is under investigation
    WHEN the dataset is exported and loaded into an empty database
    THEN only the third person and their rows are in it, their invitation no longer names who
    sent it, and the investigation of the restricted person is gone with them."""
    restricted = UserFactory(processing_restricted_at=timezone.now())
    objector = UserFactory(organisation=restricted.organisation)
    PurposeObjection.objects.create(user=objector, purpose=Purpose.ANALYTICS)
    kept = UserFactory(organisation=restricted.organisation)
    Invitation.objects.create(
        user=kept,
        invited_by=restricted,
        nonce="n" * 43,
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    InvestigationFactory(user=restricted)
    for user in (restricted, objector, kept):
        used(user)
    monkeypatch.setenv("TEST_DATASET_KEY", KEY)
    path = tmp_path / "dataset.jsonl"
    call_command("export_test_dataset", "--out", str(path), "--no-progress")

    rows = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    users = [row["pk"] for row in rows if row["model"] == "accounts.user"]
    assert users == [kept.pk]
    assert [row["fields"]["user"] for row in rows if row["model"] == "usage.usageevent"] == [
        kept.pk
    ]
    invitation = next(row for row in rows if row["model"] == "accounts.invitation")
    assert invitation["fields"]["invited_by"] is None
    assert not [row for row in rows if row["model"] == "security.investigation"]

    call_command("flush", interactive=False, verbosity=0)
    call_command("load_test_dataset", str(path))
    assert list(User.objects.values_list("pk", flat=True)) == [kept.pk]
    assert UsageEvent.objects.count() == 1
