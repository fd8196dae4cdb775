"""Article 19: the rights-request executors tell every recipient of the person's data."""

import pytest
from django.core import mail
from django.urls import reverse

from dsar.executors.erasure import erasure_run
from dsar.executors.rectification import rectification_approve
from dsar.executors.restriction import (
    restriction_apply,
    restriction_lift,
    restriction_lift_notify,
)
from dsar.models import Channel, RectificationItem, RequestKind, State
from dsar.selectors import status_token
from dsar.services.filing import rights_request_file
from dsar.services.steps import rights_request_complete
from dsar.services.subjects import rights_request_confirm_subject
from dsar.workflow import TransitionRefused
from recipients.models import Event, Notice, ProcessorContact, WebhookDelivery
from recipients.services import notice_confirm_by_hand, notice_excuse, webhook_endpoint_create
from records.models import Processor
from records.services import disclosure_record
from tests.factories import DpoFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    """GIVEN a person whose usage reached their employer and one other client (a group
    company), and a DPO."""
    employer = OrganisationFactory(name="Acme Ltd")
    user = UserFactory(organisation=employer, email="ann@acme.example")
    for organisation in (employer, OrganisationFactory(name="Acme Group plc")):
        disclosure_record(
            recipient_type="client",
            recipient=organisation.name,
            legal_basis="Legitimate interests",
            categories=["usage"],
            description="Monthly usage report",
            subject_user_ids=[user.pk],
            organisation=organisation,
        )
    OrganisationFactory(name="Unrelated Ltd")
    return user


def filed(kind, user, dpo):
    request = rights_request_file(
        kind=kind,
        requester_name=user.full_name,
        requester_email=user.email,
        channel=Channel.EMAIL,
        filed_by=dpo,
        verified=True,
    )
    rights_request_confirm_subject(request=request, user=user, by=dpo)
    return request


def test_an_erasure_tells_each_client_that_received_the_persons_data_and_each_processor(
    person, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    webhook_endpoint_create(
        organisation=person.organisation,
        url="http://127.0.0.1:9/unreachable",
        events=[Event.ERASED],
        by=None,
    )
    processor = Processor.objects.filter(data_categories__isnull=False).first()
    dpo = DpoFactory()
    request = filed(RequestKind.ERASURE, person, dpo)

    with django_capture_on_commit_callbacks(execute=True):
        erasure_run(request=request, terminate_account=True, by=dpo)

    notices = Notice.objects.filter(request_reference=request.reference, event=Event.ERASED)
    clients = {n.recipient_label for n in notices if n.kind == Notice.Kind.CLIENT}
    assert clients == {"Acme Ltd", "Acme Group plc"}
    assert notices.filter(kind=Notice.Kind.PROCESSOR).exists()
    assert all(n.status == Notice.Status.AWAITING for n in notices)
    # Only the employer has an endpoint: one webhook message, kept for a retry.
    delivery = WebhookDelivery.objects.get()
    assert delivery.notice.organisation == person.organisation
    assert delivery.payload["data"]["email"] == "ann@acme.example"
    assert processor is not None

    # Running the erasure again tells no one twice.
    erasure_run(request=request, terminate_account=True, by=dpo)
    assert Notice.objects.filter(request_reference=request.reference).count() == notices.count()


def test_a_processor_with_a_privacy_contact_is_emailed_the_instruction_and_link(
    person, django_capture_on_commit_callbacks
):
    dpo = DpoFactory()
    request = filed(RequestKind.RESTRICTION, person, dpo)
    told = Processor.objects.all()
    for processor in told:
        ProcessorContact.objects.create(processor=processor, email="privacy@provider.example")

    with django_capture_on_commit_callbacks(execute=True):
        restriction_apply(request=request, by=dpo)

    notices = Notice.objects.filter(event=Event.RESTRICTED, kind=Notice.Kind.PROCESSOR)
    assert notices.exists()
    sent = [m for m in mail.outbox if m.to == ["privacy@provider.example"]]
    assert len(sent) == notices.count()
    assert "ann@acme.example" in sent[0].body
    assert "/api/v1/recipients/confirm/" in sent[0].body
    assert person.full_name not in sent[0].body


def test_lifting_a_restriction_and_a_rectification_are_told_too(person):
    dpo = DpoFactory()
    restriction = filed(RequestKind.RESTRICTION, person, dpo)
    restriction_apply(request=restriction, by=dpo)
    restriction_lift_notify(request=restriction, reason="The accuracy is now verified.", by=dpo)
    restriction_lift(request=restriction, by=dpo)
    rectification = filed(RequestKind.RECTIFICATION, person, dpo)
    item = RectificationItem.objects.create(
        request=rectification, field="job_title", proposed_value="Analyst"
    )

    rectification_approve(item=item, by=dpo)

    events = set(
        Notice.objects.filter(organisation=person.organisation).values_list("event", flat=True)
    )
    assert events == {Event.RESTRICTED, Event.RESTRICTION_LIFTED, Event.RECTIFIED}


def test_a_request_cannot_be_completed_while_a_recipient_is_unconfirmed(
    person, django_capture_on_commit_callbacks
):
    dpo = DpoFactory()
    request = filed(RequestKind.RESTRICTION, person, dpo)
    restriction_apply(request=request, by=dpo)
    notices = list(Notice.objects.filter(request_reference=request.reference))
    employer, *others = sorted(notices, key=lambda n: n.recipient_label != "Acme Ltd")

    with pytest.raises(TransitionRefused, match="Acme Ltd"):
        rights_request_complete(request=request, outcome="Restricted.", by=dpo)

    notice_confirm_by_hand(notice=employer, note="Their DPO replied by e-mail.", by=dpo)
    for notice in others:
        notice_excuse(notice=notice, reason="The provider has ceased trading.", by=dpo)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rights_request_complete(request=request, outcome="Restricted.", by=dpo)

    request.refresh_from_db()
    assert request.state == State.COMPLETED
    letter = mail.outbox[-1].body
    assert "Acme Ltd: processing restricted. Confirmed on " in letter
    assert "GMT" in letter
    assert "The provider has ceased trading." in letter


def test_the_person_sees_who_was_told_on_their_request_page(client, person):
    dpo = DpoFactory()
    request = filed(RequestKind.RESTRICTION, person, dpo)
    restriction_apply(request=request, by=dpo)
    employer = Notice.objects.get(request_reference=request.reference, recipient_label="Acme Ltd")
    notice_confirm_by_hand(notice=employer, note="Phoned.", by=dpo)

    page = client.get(reverse("rights:status", kwargs={"token": status_token(request)}))

    text = page.content.decode()
    assert "Who we told" in text
    assert "Acme Ltd: processing restricted — confirmed on" in text
    assert "Acme Group plc: processing restricted — awaiting confirmation" in text
    assert "Phoned." not in text  # the DPO's note is not the person's to read


def test_telling_recipients_costs_the_same_queries_however_many_recipients_and_entries(
    person, settings, django_assert_num_queries
):
    """recipients_tell runs inside the erasure's transaction: its queries must not grow with
    the data map (about fifty entries), the clients, the providers or the people told."""
    from datamap import registry
    from recipients.notify import recipients_tell

    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    busier = UserFactory(email="bob@acme.example")
    for n in range(5):
        client = OrganisationFactory(name=f"Client {n}")
        webhook_endpoint_create(
            organisation=client, url="http://127.0.0.1:9/hook", events=[Event.ERASED], by=None
        )
        disclosure_record(
            recipient_type="client",
            recipient=client.name,
            legal_basis="Legitimate interests",
            categories=["usage"],
            description="Monthly usage report",
            subject_user_ids=[person.pk, busier.pk],
            organisation=client,
        )
    providers = Processor.objects.count()

    # disclosures to clients; notices already sent; the clients; the data held (one SELECT of
    # EXISTS for every entry and person); the processor register; one INSERT of the notices;
    # the clients' webhook endpoints; one INSERT of the deliveries
    with django_assert_num_queries(8):
        alone = recipients_tell(event=Event.ERASED, users=[person], reference="R-1")
    with django_assert_num_queries(8):
        both = recipients_tell(event=Event.ERASED, users=[person, busier], reference="R-2")
    # Told already (the same request): the first five queries, then nothing to write.
    with django_assert_num_queries(5):
        assert recipients_tell(event=Event.ERASED, users=[person], reference="R-1") == []

    assert len(registry.entries()) > 8
    clients = 7  # the fixture's employer and group company, and the five above
    assert len([n for n in alone if n.kind == Notice.Kind.CLIENT]) == clients
    assert len([n for n in both if n.kind == Notice.Kind.CLIENT]) == clients + 5
    assert 0 < len([n for n in alone if n.kind == Notice.Kind.PROCESSOR]) <= providers
    assert WebhookDelivery.objects.filter(notice__request_reference="R-2").count() == 10
