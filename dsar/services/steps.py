"""The privacy team's steps on a rights request, the requester's replies, and the record of
each time the back office opens one."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.selectors import actor_is_staff
from dsar.deadlines import MAX_EXTENSION_MONTHS, original_due_date
from dsar.models import OPEN_STATES, RequestEvent, RightsRequest, State
from dsar.services.complaints import ANSWERED_WITH_AN_OUTCOME
from dsar.services.outgoing import letter_send
from dsar.services.timeline import (
    SYSTEM,
    Kind,
    audit_step,
    due_recompute,
    event_add,
    local_today,
    require_decider,
    require_staff,
    state_move,
)
from dsar.workflow import TransitionRefused
from recipients.selectors import notices_awaiting, recipients_told_in_words


def rights_request_start(*, request: RightsRequest, by) -> RightsRequest:
    require_staff(by)
    with transaction.atomic():
        state_move(request, State.IN_PROGRESS, by=by, body="Work on the request started.")
    return request


def rights_request_ask_requester(*, request: RightsRequest, message: str, by) -> RightsRequest:
    """Ask for clarification or proof of identity: the clock pauses until they answer."""
    require_staff(by)
    if not message.strip():
        raise ValidationError({"message": "Say what you need from the requester."})
    with transaction.atomic():
        state_move(request, State.AWAITING_REQUESTER, by=by, body=message.strip())
        letter_send("clarification", request, message=message.strip())
    return request


def rights_request_resume(*, request: RightsRequest, by, body: str = "") -> RightsRequest:
    require_staff(by)
    with transaction.atomic():
        state_move(request, State.IN_PROGRESS, by=by, body=body or "The time limit runs again.")
    return request


def rights_request_extend(*, request: RightsRequest, months: int, reason: str, by) -> RightsRequest:
    """Extend by up to two further months, before the original due date, telling the requester."""
    require_decider(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the extension."})
    if request.state not in (State.VERIFIED, State.IN_PROGRESS, State.AWAITING_REQUESTER):
        raise TransitionRefused("Only a request whose clock runs can be extended.")
    if not 1 <= request.extension_months + months <= MAX_EXTENSION_MONTHS:
        raise ValidationError(
            {"months": f"A request can be extended by {MAX_EXTENSION_MONTHS} months at most."}
        )
    original = original_due_date(request.clock_started_on, paused_days=request.paused_days)
    if local_today() > original:
        raise TransitionRefused(
            f"The original due date ({original:%-d %B %Y}) has passed: it is too late to extend."
        )
    with transaction.atomic():
        request.extension_months += months
        request.extension_reason = reason
        due_recompute(request)
        request.save(update_fields=["extension_months", "extension_reason", "due_on"])
        event_add(
            request,
            Kind.EXTENSION,
            by=by,
            visible=True,
            body=f"Extended by {months} month(s) to {request.due_on:%-d %B %Y}: {reason}",
        )
        audit_step(by, "rights_request.extend", request, months=months)
        letter_send("extension", request, reason=reason)
    return request


def rights_request_complete(*, request: RightsRequest, outcome: str, by) -> RightsRequest:
    require_decider(by)
    if request.is_complaint:
        raise TransitionRefused(ANSWERED_WITH_AN_OUTCOME)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": "Write the answer the requester will receive."})
    awaiting = list(notices_awaiting(request.reference).values_list("recipient_label", flat=True))
    if awaiting:
        raise TransitionRefused(
            "Recipients told of this request have not confirmed yet: "
            f"{', '.join(sorted(set(awaiting)))}. Record their confirmation, or why it cannot "
            "be obtained, before completing."
        )
    told = recipients_told_in_words(request.reference)
    outcome = f"{outcome}\n\n{told}" if told else outcome
    with transaction.atomic():
        request.outcome = outcome
        state_move(request, State.COMPLETED, by=by, body=outcome)
        letter_send("completed", request, message=outcome)
    return request


def rights_request_complete_by_system(*, request: RightsRequest, outcome: str) -> RightsRequest:
    """Complete a request the app honours at once by itself (an objection to direct
    marketing): no staff member acts; the timeline and the letter say what was done."""
    with transaction.atomic():
        request.outcome = outcome.strip()
        state_move(request, State.COMPLETED, by=SYSTEM, body=request.outcome)
        letter_send("completed", request, message=request.outcome)
    return request


def rights_request_reject(*, request: RightsRequest, reason: str, by) -> RightsRequest:
    """Refuse a manifestly unfounded or excessive request, with the reason and the ICO."""
    require_decider(by)
    if request.is_complaint:
        raise TransitionRefused(ANSWERED_WITH_AN_OUTCOME)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the request is refused."})
    with transaction.atomic():
        request.outcome = reason
        state_move(request, State.REJECTED, by=by, body=reason)
        letter_send("rejected", request, reason=reason)
    return request


def rights_request_withdraw(*, request: RightsRequest, by=None) -> RightsRequest:
    """The requester (or the DPO on their word) withdraws the request."""
    with transaction.atomic():
        state_move(request, State.WITHDRAWN, by=by, body="The request was withdrawn.")
    return request


def rights_request_assign(*, request: RightsRequest, assignee, by) -> RightsRequest:
    require_staff(by)
    if assignee is not None and not actor_is_staff(assignee):
        raise ValidationError({"assignee": "Assign requests to the privacy team only."})
    with transaction.atomic():
        request.assignee = assignee
        request.save(update_fields=["assignee"])
        who = assignee.full_name if assignee else "nobody"
        event_add(request, Kind.ASSIGNMENT, by=by, body=f"Assigned to {who}.")
        audit_step(by, "rights_request.assign", request, assignee=getattr(assignee, "pk", None))
    return request


def rights_requests_return_to_queue(*, assignee, by) -> int:
    """Unassign every open request of ``assignee`` (a colleague who left the team): each goes
    back to the queue, with a step on its timeline and an audit entry. Returns how many."""
    require_staff(by)
    with transaction.atomic():
        returned = list(
            RightsRequest.objects.select_for_update()
            .filter(assignee=assignee, state__in=OPEN_STATES)
            .order_by("pk")
        )
        for request in returned:
            request.assignee = None
            request.save(update_fields=["assignee"])
            event_add(
                request,
                Kind.ASSIGNMENT,
                by=by,
                body=f"Returned to the queue: {assignee.full_name} left the team.",
            )
            audit_step(by, "rights_request.return_to_queue", request, previous=assignee.pk)
    return len(returned)


def rights_request_note(*, request: RightsRequest, body: str, by) -> RequestEvent:
    """An internal note: never shown to the requester."""
    require_staff(by)
    if not body.strip():
        raise ValidationError({"body": "Write the note."})
    with transaction.atomic():
        event = event_add(request, Kind.NOTE, by=by, body=body.strip())
        audit_step(by, "rights_request.note", request)
    return event


def rights_request_message(*, request: RightsRequest, body: str, by) -> RequestEvent:
    """A message to the requester: on their status page and by e-mail."""
    require_staff(by)
    if not body.strip():
        raise ValidationError({"body": "Write the message."})
    with transaction.atomic():
        event = event_add(
            request, Kind.MESSAGE_TO_REQUESTER, by=by, body=body.strip(), visible=True
        )
        audit_step(by, "rights_request.message", request)
        letter_send("message", request, message=body.strip())
    return event


def rights_request_requester_reply(*, request: RightsRequest, body: str) -> RequestEvent:
    """The requester answers from their status page; a paused clock does not restart by
    itself: the DPO resumes it once the answer is enough."""
    if not body.strip():
        raise ValidationError({"body": "Write your message."})
    if not request.is_open:
        raise TransitionRefused("This request is closed; file a new one if you need to.")
    with transaction.atomic():
        event = event_add(request, Kind.MESSAGE_FROM_REQUESTER, body=body.strip(), visible=True)
        audit_step(None, "rights_request.requester_message", request)
    return event


def rights_request_view_record(*, request: RightsRequest, by) -> None:
    """Opening a request shows a person's data: each display is in the audit trail."""
    require_staff(by)
    audit_step(by, "rights_request.view", request)
