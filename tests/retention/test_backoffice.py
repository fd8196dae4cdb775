"""The back office's retention page: DPO only; policy edits previewed, validated and audited;
legal holds placed and released (with the password again); dry runs on request."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from retention.models import LegalHold, PurgeRun, RetentionPolicy
from tests.factories import TEST_PASSWORD, DpoFactory, SupportFactory, UserFactory
from tests.visible import internals_in, visible_text
from usage.models import UsageEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo_client(verified_client):
    dpo = DpoFactory()
    return verified_client(dpo), dpo


def test_support_staff_get_403_on_every_retention_page(verified_client):
    client = verified_client(SupportFactory())
    hold = LegalHold.objects.create(user=UserFactory(), reason="x", placed_at=timezone.now())
    for url in [
        reverse("retention:overview"),
        reverse("retention:policy_edit", args=["usage_events"]),
        reverse("retention:hold_new"),
        reverse("retention:hold_release", args=[hold.pk]),
    ]:
        assert client.get(url).status_code == 403
    assert client.post(reverse("retention:dry_run")).status_code == 403


def test_the_overview_shows_the_schedule_holds_and_runs_in_a_fixed_number_of_queries(
    dpo_client, django_assert_num_queries
):
    client, dpo = dpo_client
    for n in range(3):
        LegalHold.objects.create(
            user=UserFactory(), reason=f"Claim {n}", placed_by=dpo, placed_at=timezone.now()
        )
        PurgeRun.objects.create(category="usage_events", started_at=timezone.now())
    client.get(reverse("retention:overview"))  # warm the session and the user
    # session, user, OTP device; latest dry runs; policies; policies again (missing
    # categories); active holds; released holds; recent runs
    with django_assert_num_queries(9):
        response = client.get(reverse("retention:overview"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Claim 2" in body and "usage_events" in body
    assert "No retention policy for" not in body


def test_a_category_without_a_policy_is_warned_about(dpo_client):
    client, _ = dpo_client
    RetentionPolicy.objects.filter(category="security_logs").delete()
    body = client.get(reverse("retention:overview")).content.decode()
    assert "No retention policy for" in body and "Login and session logs" in body
    assert "security_logs" not in body


def test_a_policy_edit_is_previewed_then_saved_and_audited(dpo_client):
    client, dpo = dpo_client
    user = UserFactory()
    UsageEvent.objects.create(
        occurred_at=timezone.now() - datetime.timedelta(days=40),
        organisation=user.organisation,
        user=user,
        action="view",
    )
    url = reverse("retention:policy_edit", args=["usage_events"])
    data = {"basis": "event", "days": "30", "action": "delete", "rationale": "Shorter"}

    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert preview.context["effect"] == [
        {"entry": "Usage events", "now": 0, "then": 1, "change": 1}
    ]
    assert RetentionPolicy.objects.get(category="usage_events").days == 395

    saved = client.post(url, {**data, "save": "1", "password": TEST_PASSWORD})
    assert saved.status_code == 302
    assert RetentionPolicy.objects.get(category="usage_events").days == 30
    entry = AuditEntry.objects.get(action="retention.policy_update")
    assert entry.actor == dpo
    assert entry.details["before"]["days"] == 395 and entry.details["after"]["days"] == 30


def test_an_invalid_policy_is_refused(dpo_client):
    client, _ = dpo_client
    url = reverse("retention:policy_edit", args=["account"])
    response = client.post(url, {"basis": "event", "days": "0", "action": "delete", "save": "1"})
    assert response.status_code == 400
    assert RetentionPolicy.objects.get(category="account").basis == "account"
    assert not AuditEntry.objects.filter(action="retention.policy_update").exists()


def test_a_legal_hold_is_placed_and_released_with_the_password_again(dpo_client):
    client, dpo = dpo_client
    user = UserFactory(email="claimant@example.test")
    response = client.post(
        reverse("retention:hold_new"),
        {"email": "claimant@example.test", "reason": "Tribunal claim"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get(user=user)
    release = reverse("retention:hold_release", args=[hold.pk])

    wrong = client.post(release, {"password": "not it"})
    assert wrong.status_code == 400
    assert LegalHold.objects.active().exists()

    assert client.post(release, {"password": TEST_PASSWORD}).status_code == 302
    hold.refresh_from_db()
    assert hold.released_at and hold.released_by == dpo
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"retention.legal_hold_place", "retention.legal_hold_release"} <= actions


def test_running_a_dry_run_records_counts_for_every_category(
    dpo_client, django_capture_on_commit_callbacks
):
    client, _ = dpo_client
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("retention:dry_run"))
    assert response.status_code == 302
    runs = PurgeRun.objects.filter(dry_run=True, trigger="back office")
    assert set(runs.values_list("category", flat=True)) == set(
        RetentionPolicy.objects.values_list("category", flat=True)
    )
    assert AuditEntry.objects.filter(action="retention.dry_run_request").exists()


def test_the_schedule_reads_in_words_with_no_slugs_day_counts_or_placeholders(dpo_client):
    client, _ = dpo_client
    PurgeRun.objects.create(category="security_logs", started_at=timezone.now(), dry_run=True)
    text = visible_text(client.get(reverse("retention:overview")))
    assert internals_in(text) == []
    assert "Login and session logs" in text
    assert "While the account is open, then 180 days after it ends" in text
    assert "6 years after closure or the decision" in text  # breaches: 2190 days
    assert "13 months after the event" in text  # usage events: 395 days
    assert "2190 days" not in text
    assert "then N days" not in text and "then n days" not in text
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2} (GMT|BST)", text)


def test_the_purge_and_edit_pages_name_the_category_in_words(dpo_client):
    client, _ = dpo_client
    for name in ("retention:purge_now", "retention:policy_edit"):
        text = visible_text(client.get(reverse(name, args=["security_logs"])))
        assert "Login and session logs" in text and "security_logs" not in text, name
