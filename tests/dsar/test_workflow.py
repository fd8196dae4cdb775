"""The request life cycle: verification starts the clock, pauses move it, extensions are
told to the requester, and only the allowed transitions happen."""

import datetime
import itertools

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dsar.models import Channel, RequestEvent, RequestKind, State
from dsar.selectors import verification_token
from dsar.services.filing import rights_request_file, rights_request_verify
from dsar.services.steps import (
    rights_request_ask_requester,
    rights_request_complete,
    rights_request_extend,
    rights_request_reject,
    rights_request_resume,
    rights_request_start,
    rights_request_withdraw,
)
from dsar.workflow import ALLOWED, TransitionRefused, check_transition
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON_NOON = datetime.time(12, tzinfo=datetime.UTC)


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, LONDON_NOON), tick=False)


def file(**overrides):
    fields = {
        "kind": RequestKind.ACCESS,
        "requester_name": "Ann Able",
        "requester_email": "Ann@Example.test",
        "channel": Channel.WEB_FORM,
        "description": "Please send me my data.",
    }
    return rights_request_file(**{**fields, **overrides})


@pytest.mark.parametrize(("current", "target"), list(itertools.product(State.values, State.values)))
def test_every_transition_is_either_allowed_or_refused(current, target):
    if target in ALLOWED[State(current)]:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionRefused):
            check_transition(current, target)


def test_a_public_request_waits_for_its_email_check_before_the_clock_starts(
    mailoutbox, django_capture_on_commit_callbacks
):
    with at(datetime.date(2026, 3, 4)), django_capture_on_commit_callbacks(execute=True):
        request = file()
    assert request.reference == f"RR-2026-{request.pk:06d}"
    assert request.state == State.AWAITING_VERIFICATION
    assert request.due_on is None
    assert "/rights/verify/" in mailoutbox[0].body
    assert request.requester_email == "ann@example.test"

    with at(datetime.date(2026, 3, 5)), django_capture_on_commit_callbacks(execute=True):
        verified, problem = rights_request_verify(token=verification_token(request))
    assert problem == ""
    assert verified.state == State.VERIFIED
    assert verified.clock_started_on == datetime.date(2026, 3, 5)
    assert verified.due_on == datetime.date(2026, 4, 7)  # 5 Apr is a Sunday, 6 Apr Easter Monday
    assert "7 April 2026" in mailoutbox[-1].body


def test_a_verification_link_expires_after_24_hours():
    with at(datetime.date(2026, 3, 2)):
        request = file()
    with at(datetime.date(2026, 3, 4)):
        assert rights_request_verify(token=verification_token(request))[1] == "expired"
    assert rights_request_verify(token="forged")[1] == "invalid"


def test_a_request_from_a_logged_in_user_starts_its_clock_on_receipt():
    user = UserFactory()
    with at(datetime.date(2026, 3, 7)):
        request = file(channel=Channel.ACCOUNT, filed_by=user, verified=True)
    assert request.state == State.VERIFIED
    assert request.due_on == datetime.date(2026, 4, 7)


def test_a_request_logged_by_the_dpo_starts_on_the_day_it_arrived():
    dpo = DpoFactory()
    received = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    with at(datetime.date(2026, 3, 9)):
        request = file(channel=Channel.POST, filed_by=dpo, received_at=received, verified=True)
    assert request.clock_started_on == datetime.date(2026, 3, 2)


def test_pausing_for_clarification_moves_the_due_date_by_the_days_paused():
    dpo = DpoFactory()
    with at(datetime.date(2026, 3, 7)):
        request = file(channel=Channel.ACCOUNT, filed_by=UserFactory(), verified=True)
        rights_request_start(request=request, by=dpo)
    with at(datetime.date(2026, 3, 10)):
        rights_request_ask_requester(request=request, message="Which account?", by=dpo)
    with at(datetime.date(2026, 3, 20)):
        rights_request_resume(request=request, by=dpo)
    assert request.paused_days == 10
    assert request.due_on == datetime.date(2026, 4, 17)


def test_an_extension_is_told_to_the_requester_and_refused_after_the_original_due_date(
    mailoutbox, django_capture_on_commit_callbacks
):
    dpo = DpoFactory()
    with at(datetime.date(2026, 3, 7)):
        request = file(channel=Channel.ACCOUNT, filed_by=UserFactory(), verified=True)
    with at(datetime.date(2026, 3, 20)), django_capture_on_commit_callbacks(execute=True):
        rights_request_extend(request=request, months=1, reason="Several requests", by=dpo)
    assert request.due_on == datetime.date(2026, 5, 7)
    assert "Several requests" in mailoutbox[-1].body
    with pytest.raises(ValidationError):
        rights_request_extend(request=request, months=2, reason="More", by=dpo)
    with at(datetime.date(2026, 4, 8)), pytest.raises(TransitionRefused):
        rights_request_extend(request=request, months=1, reason="Late", by=dpo)


def test_rejection_needs_a_reason_and_names_the_ico(mailoutbox, django_capture_on_commit_callbacks):
    dpo = DpoFactory()
    request = file(channel=Channel.ACCOUNT, filed_by=UserFactory(), verified=True)
    with pytest.raises(ValidationError):
        rights_request_reject(request=request, reason=" ", by=dpo)
    with django_capture_on_commit_callbacks(execute=True):
        rights_request_reject(request=request, reason="The fifth identical request", by=dpo)
    assert request.state == State.REJECTED
    assert "Information Commissioner" in mailoutbox[-1].body


def test_a_closed_request_cannot_move_and_every_step_is_on_the_timeline():
    dpo = DpoFactory()
    request = file(channel=Channel.ACCOUNT, filed_by=UserFactory(), verified=True)
    rights_request_complete(request=request, outcome="Sent.", by=dpo)
    with pytest.raises(TransitionRefused):
        rights_request_withdraw(request=request)
    kinds = list(request.events.values_list("kind", "to_state"))
    assert (RequestEvent.Kind.TRANSITION, State.VERIFIED) in kinds
    assert (RequestEvent.Kind.TRANSITION, State.COMPLETED) in kinds


def test_only_the_privacy_team_works_requests():
    from django.core.exceptions import PermissionDenied

    request = file(channel=Channel.ACCOUNT, filed_by=UserFactory(), verified=True)
    with pytest.raises(PermissionDenied):
        rights_request_start(request=request, by=UserFactory())
