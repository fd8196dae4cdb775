"""A complaint's acknowledgement clock (Data Protection Act 2018 s.164A(3)): 30 days from the
day of receipt, that day counting as the first, on UK dates; never paused; separate from the
one-month clock of the outcome."""

import datetime

import pytest
import time_machine

from dsar.deadlines import acknowledgement_due_date, due_date
from dsar.models import Channel, RequestKind, State
from dsar.services.filing import rights_request_file
from dsar.services.steps import rights_request_ask_requester, rights_request_start
from tests.factories import DpoFactory

pytestmark = pytest.mark.django_db

D = datetime.date
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("received", "acknowledge_by", "why"),
    [
        (D(2026, 3, 2), D(2026, 3, 31), "a 31-day month: the 30th day is the 31st"),
        (D(2026, 2, 2), D(2026, 3, 3), "through a 28-day February"),
        (D(2026, 1, 31), D(2026, 3, 1), "from a month's end, past a short February"),
        (D(2028, 1, 31), D(2028, 2, 29), "a leap year: 29 February is a day like any other"),
        (D(2028, 2, 1), D(2028, 3, 1), "February 2028 has 29 days"),
        (D(2027, 2, 1), D(2027, 3, 2), "February 2027 has 28"),
        (D(2026, 12, 30), D(2027, 1, 28), "across the new year"),
        (D(2026, 12, 4), D(2027, 1, 2), "a Saturday stays: moving it on would pass the 30 days"),
        (D(2026, 11, 27), D(2026, 12, 26), "Boxing Day stays too"),
    ],
)
def test_the_acknowledgement_is_due_on_the_thirtieth_day_counting_the_day_of_receipt(
    received, acknowledge_by, why
):
    assert acknowledgement_due_date(received) == acknowledge_by, why


def test_the_acknowledgement_clock_is_not_the_rights_deadline():
    # The outcome's month moves off the weekend; the acknowledgement's 30 days never do.
    assert due_date(D(2026, 12, 4)) == D(2027, 1, 4)
    assert acknowledgement_due_date(D(2026, 12, 4)) == D(2027, 1, 2)


def file_complaint(received_at: datetime.datetime, **fields):
    return rights_request_file(
        kind=RequestKind.COMPLAINT,
        requester_name="Cora Plain",
        requester_email="cora@example.test",
        channel=fields.pop("channel", Channel.EMAIL),
        description="You kept my data after I left.",
        filed_by=fields.pop("filed_by", None) or DpoFactory(),
        received_at=received_at,
        verified=True,
        **fields,
    )


@pytest.mark.parametrize(
    ("received_at", "acknowledge_by", "why"),
    [
        (
            datetime.datetime(2026, 1, 28, 23, 30, tzinfo=UTC),
            D(2026, 2, 26),
            "late on a winter evening: 23:30 GMT is still 28 January",
        ),
        (
            datetime.datetime(2026, 6, 28, 23, 30, tzinfo=UTC),
            D(2026, 7, 28),
            "late on a summer evening: 23:30 UTC is 00:30 BST on 29 June, the day of receipt",
        ),
        (
            datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
            D(2026, 4, 26),
            "the night before the clocks go forward: still GMT, 28 March",
        ),
        (
            datetime.datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
            D(2026, 11, 23),
            "the night the clocks go back: 00:30 BST on 25 October",
        ),
        (
            datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            D(2026, 11, 23),
            "an hour later the clocks have gone back: 01:30 GMT, 25 October",
        ),
    ],
)
def test_the_day_of_receipt_is_the_uk_date_whatever_the_hour_and_season(
    received_at, acknowledge_by, why
):
    with time_machine.travel(received_at, tick=False):
        complaint = file_complaint(received_at)
    assert complaint.acknowledge_by == acknowledge_by, why


def test_asking_the_complainant_a_question_pauses_the_outcome_not_the_acknowledgement():
    dpo = DpoFactory()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=UTC), tick=False):
        complaint = file_complaint(datetime.datetime(2026, 3, 2, 10, tzinfo=UTC), filed_by=dpo)
        rights_request_start(request=complaint, by=dpo)
        rights_request_ask_requester(request=complaint, message="Which report?", by=dpo)
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=UTC), tick=False):
        complaint.refresh_from_db()
    assert complaint.state == State.AWAITING_REQUESTER
    assert complaint.acknowledge_by == D(2026, 3, 31)


def test_a_rights_request_has_no_acknowledgement_clock():
    request = rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Ann Able",
        requester_email="ann@example.test",
        channel=Channel.EMAIL,
        filed_by=DpoFactory(),
        verified=True,
    )
    assert request.acknowledge_by is None
