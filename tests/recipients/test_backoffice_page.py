"""The DPO's page of recipients awaiting confirmation: a failed webhook shows, a confirmation
received another way is recorded with a note, and support may not open it."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from recipients.models import Event, Notice, ProcessorContact
from records.models import Processor
from tests.factories import DpoFactory, OrganisationFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice():
    organisation = OrganisationFactory(name="Acme Ltd")
    person = UserFactory(organisation=organisation)
    told = Notice.objects.create(
        event=Event.ERASED,
        kind=Notice.Kind.CLIENT,
        recipient_label="Acme Ltd",
        organisation=organisation,
        subject=person,
        subject_email=person.email,
        request_reference="RR-2026-000001",
    )
    told.deliveries.create(
        message_id="msg_x",
        status="failed",
        next_attempt_at=told.created_at,
        created_at=told.created_at,
        last_error="No answer: ReadTimeout.",
    )
    return told


def test_the_dpo_sees_a_failed_webhook_and_records_a_confirmation_by_hand(verified_client, notice):
    client = verified_client(DpoFactory())

    page = client.get(reverse("recipients:list"))
    recorded = client.post(
        reverse("recipients:record", args=[notice.pk]),
        {"outcome": "confirmed", "note": "Their DPO phoned on 2 Dec."},
    )

    assert page.status_code == 200
    assert "Webhook failed" in page.content.decode()
    assert "Acme Ltd" in page.content.decode()
    assert recorded.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CONFIRMED
    assert notice.confirmation_note == "Their DPO phoned on 2 Dec."
    assert notice.subject_email == ""
    assert AuditEntry.objects.filter(action="recipient.confirm").exists()
    after = client.get(reverse("recipients:list")).content.decode()
    assert "No recipient is awaiting confirmation." in after


def test_recording_without_a_note_changes_nothing(verified_client, notice):
    client = verified_client(DpoFactory())

    client.post(reverse("recipients:record", args=[notice.pk]), {"outcome": "excused"})

    notice.refresh_from_db()
    assert notice.status == Notice.Status.AWAITING


def test_support_may_not_open_the_page_or_record(verified_client, notice):
    client = verified_client(SupportFactory())

    assert client.get(reverse("recipients:list")).status_code == 403
    response = client.post(
        reverse("recipients:record", args=[notice.pk]), {"outcome": "confirmed", "note": "x"}
    )
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == Notice.Status.AWAITING


def test_the_dpo_records_where_a_provider_takes_privacy_instructions(verified_client):
    processor = Processor.objects.order_by("name").first()
    client = verified_client(DpoFactory())
    edit = reverse("recipients:contact-edit", args=[processor.pk])

    page = client.get(reverse("recipients:contacts"))
    client.post(edit, {"email": "not an address"})
    assert not ProcessorContact.objects.exists()
    client.post(edit, {"email": "privacy@provider.example"})

    assert processor.name in page.content.decode()
    assert ProcessorContact.objects.get(processor=processor).email == "privacy@provider.example"
    assert AuditEntry.objects.filter(action="processor.privacy_contact").exists()
    client.post(edit, {"email": ""})
    assert not ProcessorContact.objects.exists()
