"""The DPO's consent rates and the consent log export."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from cookies.models import ConsentRecord
from cookies.services import consent_record_create
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db


def record(accepted, *, visitor="v", user=None, days_ago=0, method="banner"):
    optional = {"performance", "functionality"}
    row = consent_record_create(
        visitor_id=visitor,
        user=user,
        accepted=set(accepted),
        declined=optional - set(accepted),
        policy_version=1,
        method=method,
    )
    if days_ago:
        ConsentRecord.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return row


def test_the_dpo_sees_consent_rates_per_category_per_week(
    verified_client, django_assert_num_queries
):
    record(["performance", "functionality"])
    record(["performance"])
    record([])
    record([])
    record(["functionality"], days_ago=14)
    dpo = verified_client(DpoFactory())

    response = dpo.get("/backoffice/cookies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 (50.0%)" in html  # performance this week: 2 of 4
    assert "1 (25.0%)" in html  # functionality this week: 1 of 4
    assert "1 (100.0%)" in html  # functionality two weeks ago
    assert "<svg" in html
    with django_assert_num_queries(5):
        # session, user, OTP device, consent rates, page visits (catalogue cached)
        dpo.get("/backoffice/cookies/")


def test_the_consent_log_exports_as_csv_with_formula_cells_neutralised_and_is_audited(
    verified_client,
):
    member = UserFactory()
    record(["performance"], visitor="=HYPERLINK(1)", user=member, method="settings")
    dpo = verified_client(DpoFactory())

    response = dpo.get("/backoffice/cookies/consent-log.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["When (UK time)", "How", "Cookie policy version", "Accepted", "Declined"]
    assert rows[1][1:7] == [
        "Cookie settings page",
        "1",
        "performance",
        "functionality",
        "'=HYPERLINK(1)",
        str(member.pk),
    ]
    assert AuditEntry.objects.filter(action="cookies.consent_log_exported").exists()


def test_a_bad_period_shows_an_error_not_a_crash(verified_client):
    dpo = verified_client(DpoFactory())

    response = dpo.get("/backoffice/cookies/?start=2026-05-01&end=2026-01-01")

    assert response.status_code == 200
    assert "must not be before" in response.content.decode()
