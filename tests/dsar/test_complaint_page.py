"""A complaint's page in the back office: acknowledged (on receipt, from the page, or recorded
by hand), then answered by the DPO with its outcome, in a letter that names the ICO. Support
prepares; only the DPO decides the outcome."""

import datetime

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEntry
from dsar.models import Channel, ComplaintOutcome, LetterTemplate, RequestKind, RightsRequest, State
from dsar.services.filing import rights_request_file
from dsar.services.steps import rights_request_start
from tests.factories import DpoFactory, SupportFactory

pytestmark = pytest.mark.django_db

# Tuesday 3 March 2026; the complaints below arrived the day before.
NOW = datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC)
RECEIVED = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dpo(verified_client):
    user = DpoFactory(full_name="Priya Shah")
    client = verified_client(user)
    client.user = user
    return client


@pytest.fixture
def support(verified_client):
    user = SupportFactory(full_name="Sam Support")
    support_client = verified_client(user, client=Client())
    support_client.user = user
    return support_client


def complaint(*, email="cora@example.test", started=False) -> RightsRequest:
    """A complaint logged by the DPO; its acknowledgement has not gone (no commit here)."""
    dpo = DpoFactory()
    filed = rights_request_file(
        kind=RequestKind.COMPLAINT,
        requester_name="Cora Plain",
        requester_email=email,
        channel=Channel.EMAIL,
        description="You kept my data after I left.",
        filed_by=dpo,
        received_at=RECEIVED,
        verified=True,
    )
    if started:
        rights_request_start(request=filed, by=dpo)
    return filed


def page(client, request: RightsRequest) -> str:
    return client.get(f"/backoffice/requests/{request.reference}/").content.decode()


def step(client, request: RightsRequest, slug: str, **fields):
    data = {f"{slug}-{name}": value for name, value in fields.items()}
    return client.post(f"/backoffice/requests/{request.reference}/steps/{slug}/", data)


def test_the_page_shows_the_acknowledgement_clock_and_offers_to_acknowledge_first(support):
    filed = complaint()
    html = page(support, filed)
    assert "The acknowledgement" in html
    assert "Acknowledge by" in html and "31 March 2026" in html
    assert "Not yet" in html
    assert '<button type="submit">E-mail the acknowledgement now</button>' in html
    assert "Record an acknowledgement made by post or phone" in html
    assert "Complete and send the answer" not in html
    assert "Reject the request" not in html


def test_support_sends_the_acknowledgement_from_the_page_and_it_counts_once_sent(
    support, mailoutbox, django_capture_on_commit_callbacks
):
    filed = complaint()
    with django_capture_on_commit_callbacks(execute=True):
        response = step(support, filed, "acknowledge")
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.acknowledged_at == NOW
    assert filed.acknowledged_how == "E-mailed from the back office"
    assert filed.acknowledged_by_label == support.user.get_username()
    (letter,) = mailoutbox
    assert letter.subject == f"We have your complaint {filed.reference}"
    assert "received on 2 March 2026" in letter.body
    html = page(support, filed)
    assert "Acknowledged on" in html and "3 March 2026, 10:00 GMT" in html
    assert "E-mail the acknowledgement now" not in html

    again = step(support, filed, "acknowledge")
    assert again.status_code == 409
    assert "acknowledged already" in again.content.decode()
    assert len(mailoutbox) == 1


def test_an_acknowledgement_by_post_is_recorded_by_hand_with_its_day(support, settings):
    filed = complaint(email=settings.DPO_EMAIL)
    html = page(support, filed)
    assert "E-mail the acknowledgement now" not in html  # no address of their own
    assert step(support, filed, "acknowledge").status_code == 409

    early = step(support, filed, "acknowledged", on="2026-03-01", how="Letter by post")
    assert early.status_code == 400
    assert "Give a day from 2 March 2026" in early.content.decode()
    blank = step(support, filed, "acknowledged", on="2026-03-02", how="")
    assert blank.status_code == 400

    done = step(support, filed, "acknowledged", on="2026-03-02", how="Letter by post")
    assert done.status_code == 302
    filed.refresh_from_db()
    assert filed.acknowledged_how == "Letter by post"
    assert filed.acknowledged_at.date() == datetime.date(2026, 3, 2)
    entry = AuditEntry.objects.get(action="rights_request.complaint_acknowledged")
    assert entry.actor == support.user
    assert entry.details["how"] == "Letter by post"


def test_the_dpo_answers_with_the_outcome_and_the_letter_names_the_ico(
    dpo, mailoutbox, django_capture_on_commit_callbacks
):
    filed = complaint(started=True)
    html = page(dpo, filed)
    assert "Answer the complaint" in html
    for label in ("Upheld", "Partly upheld", "Not upheld"):
        assert label in html

    with django_capture_on_commit_callbacks(execute=True):
        response = step(
            dpo,
            filed,
            "answer",
            outcome=ComplaintOutcome.PARTLY_UPHELD,
            answer="The report was sent late; we have changed the schedule.",
        )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.state == State.COMPLETED
    assert filed.complaint_outcome == ComplaintOutcome.PARTLY_UPHELD
    assert filed.outcome == "The report was sent late; we have changed the schedule."
    (letter,) = [mail for mail in mailoutbox if mail.subject.startswith("The outcome")]
    assert letter.to == ["cora@example.test"]
    assert "received on 2 March 2026, and we uphold your complaint in part." in letter.body
    assert "The report was sent late" in letter.body
    assert "right to complain to the Information Commissioner's Office" in letter.body
    assert "www.ico.org.uk" in letter.body
    assert "0303 123 1113" in letter.body
    assert "Wycliffe House, Water Lane, Wilmslow, SK9 5AF" in letter.body
    answered = AuditEntry.objects.get(action="rights_request.complaint_answered")
    assert answered.details["outcome"] == "partly_upheld"
    assert "Partly upheld" in page(dpo, filed)


def test_the_outcome_and_the_answer_are_both_required(dpo):
    filed = complaint(started=True)
    response = step(dpo, filed, "answer", outcome="", answer="")
    assert response.status_code == 400
    filed.refresh_from_db()
    assert filed.state == State.IN_PROGRESS


def test_support_prepares_a_complaint_but_cannot_decide_its_outcome(support):
    filed = complaint(started=True)
    assert "Answer the complaint" not in page(support, filed)
    response = step(
        support, filed, "answer", outcome=ComplaintOutcome.UPHELD, answer="We were wrong."
    )
    assert response.status_code == 403
    filed.refresh_from_db()
    assert filed.state == State.IN_PROGRESS
    assert filed.complaint_outcome == ""


def test_a_complaint_is_never_completed_or_rejected_without_an_outcome(dpo):
    filed = complaint(started=True)
    completed = step(dpo, filed, "complete", outcome="Done.")
    assert completed.status_code == 409
    assert "answered with its outcome" in completed.content.decode()
    rejected = step(dpo, filed, "reject", reason="Unfounded.")
    assert rejected.status_code == 409
    filed.refresh_from_db()
    assert filed.state == State.IN_PROGRESS


def test_only_a_complaint_is_acknowledged_or_answered(dpo):
    access = rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Ann Able",
        requester_email="ann@example.test",
        channel=Channel.EMAIL,
        filed_by=dpo.user,
        verified=True,
    )
    assert "E-mail the acknowledgement now" not in page(dpo, access)
    assert step(dpo, access, "acknowledge").status_code == 409
    answered = step(dpo, access, "answer", outcome=ComplaintOutcome.UPHELD, answer="Yes.")
    assert answered.status_code == 409


def test_the_outcome_letter_keeps_the_ico_whatever_the_dpo_rewords(dpo):
    url = "/backoffice/requests/letters/complaint_outcome/"
    html = dpo.get(url).content.decode()
    assert "{decision}" in html and "{received_on}" in html
    response = dpo.post(
        url, {"title": "Your complaint {reference}", "body": "Dear {name}, {decision}. {message}"}
    )
    assert response.status_code == 400
    assert "This letter must keep {ico}" in response.content.decode()
    assert "{ico}" in LetterTemplate.objects.get(key="complaint_outcome").body
