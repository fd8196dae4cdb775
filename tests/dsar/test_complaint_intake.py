"""Complaints are received electronically on every channel (the rights form, the account page,
the API) and acknowledged on receipt: the acknowledgement counts once it has been sent."""

import datetime
import smtplib

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEntry
from dsar.models import Channel, RequestKind, RightsRequest, State
from dsar.services import acknowledgement
from dsar.services.acknowledgement import SENT_ON_RECEIPT, complaint_acknowledgement_deliver
from dsar.services.filing import rights_request_file
from tests.factories import DpoFactory, OrganisationFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db

# Tuesday 3 March 2026, 10:00 GMT: the acknowledgement is due by Wednesday 1 April.
NOW = datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC)
ACKNOWLEDGE_BY = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def acknowledgements(mailoutbox):
    return [mail for mail in mailoutbox if mail.subject.startswith("We have your complaint")]


def assert_acknowledged_on_receipt(complaint: RightsRequest, mailoutbox) -> None:
    complaint.refresh_from_db()
    assert complaint.acknowledge_by == ACKNOWLEDGE_BY
    assert complaint.acknowledged_at == NOW
    assert complaint.acknowledged_by_label == "system"
    assert complaint.acknowledged_how == SENT_ON_RECEIPT
    (letter,) = acknowledgements(mailoutbox)
    assert letter.to == [complaint.requester_email]
    assert complaint.reference in letter.subject
    assert "received on 3 March 2026" in letter.body
    assert "www.ico.org.uk" in letter.body
    event = complaint.events.get(body__startswith="Complaint acknowledged")
    assert event.visible_to_requester
    assert "3 March 2026" in event.body
    assert AuditEntry.objects.filter(
        action="rights_request.complaint_acknowledged", target_id=str(complaint.pk)
    ).exists()


def test_the_public_form_takes_a_complaint_and_acknowledges_it_before_the_address_is_confirmed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get("/rights/?kind=complaint").content.decode()
    assert '<option value="complaint" selected>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/rights/",
            {
                "kind": RequestKind.COMPLAINT,
                "requester_name": "Ann Able",
                "requester_email": "ann@example.test",
                "description": "My data was in a report after I left.",
                "organisation_name": "",
                "website": "",
            },
            REMOTE_ADDR="198.51.100.7",
        )
    assert response.status_code == 302
    complaint = RightsRequest.objects.get()
    assert complaint.channel == Channel.WEB_FORM
    assert complaint.state == State.AWAITING_VERIFICATION
    assert_acknowledged_on_receipt(complaint, mailoutbox)
    assert any("/rights/verify/" in mail.body for mail in mailoutbox)


def test_the_account_page_takes_a_complaint(
    verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(full_name="Ben Baker", email="ben@example.test")
    client = verified_client(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account-rights:list"),
            {"kind": RequestKind.COMPLAINT, "description": "You shared my usage wrongly."},
        )
    assert response.status_code == 302
    complaint = RightsRequest.objects.get()
    assert complaint.channel == Channel.ACCOUNT
    assert complaint.state == State.VERIFIED
    assert_acknowledged_on_receipt(complaint, mailoutbox)
    # Verified at once: no second, generic acknowledgement.
    assert not [mail for mail in mailoutbox if mail.subject.startswith("We have your request")]


def test_an_integration_files_a_complaint_through_the_api(
    mailoutbox, django_capture_on_commit_callbacks
):
    _, key = api_key_for(OrganisationFactory(), scopes=("dsar",))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/rights-requests/",
            {
                "kind": "complaint",
                "requester_name": "Cal Dean",
                "requester_email": "cal@example.test",
                "description": "Complaint forwarded from our helpdesk.",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "complaint"
    complaint = RightsRequest.objects.get(reference=response.json()["reference"])
    assert complaint.channel == Channel.API
    assert_acknowledged_on_receipt(complaint, mailoutbox)

    status = api.get(f"/api/v1/rights-requests/{complaint.reference}/").json()
    assert status["acknowledge_by"] == "2026-04-01"
    assert status["acknowledged_at"] is not None
    assert status["complaint_outcome"] is None


def test_anyone_can_file_a_complaint_through_the_api_without_a_key(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(
            "/api/v1/rights-requests/",
            {"kind": "complaint", "requester_name": "Di Eve", "requester_email": "di@example.test"},
            format="json",
        )
    assert response.status_code == 201
    complaint = RightsRequest.objects.get()
    assert complaint.state == State.AWAITING_VERIFICATION
    assert_acknowledged_on_receipt(complaint, mailoutbox)


def file_complaint(**fields) -> RightsRequest:
    return rights_request_file(
        kind=RequestKind.COMPLAINT,
        requester_name="Cora Plain",
        filed_by=DpoFactory(),
        verified=True,
        **{"requester_email": "cora@example.test", "channel": Channel.EMAIL, **fields},
    )


def test_an_acknowledgement_that_fails_to_send_is_not_counted_and_can_go_later(
    monkeypatch, mailoutbox
):
    complaint = file_complaint()

    def refused(*args, **kwargs):
        raise smtplib.SMTPException("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr(acknowledgement, "send_mail", refused)
        with pytest.raises(smtplib.SMTPException):
            complaint_acknowledgement_deliver(request_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is None

    assert complaint_acknowledgement_deliver(request_id=complaint.pk) is True
    assert complaint_acknowledgement_deliver(request_id=complaint.pk) is False
    assert len(acknowledgements(mailoutbox)) == 1
    assert complaint.events.filter(body__startswith="Complaint acknowledged").count() == 1


def test_a_complaint_logged_with_the_dpos_own_address_is_not_acknowledged_by_email(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(requester_email=settings.DPO_EMAIL, channel=Channel.POST)
    complaint.refresh_from_db()
    assert complaint.acknowledge_by == ACKNOWLEDGE_BY
    assert complaint.acknowledged_at is None
    assert acknowledgements(mailoutbox) == []
