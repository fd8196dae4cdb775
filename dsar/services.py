"""Rights-request writes: filing, verification, the statutory clock, and every workflow step.

Each step lands on the request's timeline (RequestEvent) and in the audit trail.
"""

import datetime
import secrets
import uuid

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User, UserManager
from accounts.selectors import actor_is_staff
from common.roles import Role
from dsar.deadlines import MAX_EXTENSION_MONTHS, due_date, original_due_date
from dsar.executors import immediate
from dsar.models import (
    OPEN_STATES,
    RequestEvent,
    RequestKind,
    RequestSubject,
    RightsRequest,
    State,
)
from dsar.selectors import VERIFICATION_SALT
from dsar.tasks import send_letter
from dsar.workflow import TransitionRefused, check_transition

VERIFICATION_LIFETIME = datetime.timedelta(hours=24)
Kind = RequestEvent.Kind


SYSTEM = "system"  # ``by`` for a step the app takes by itself, with no person acting


def _label(actor) -> str:
    if actor == SYSTEM:
        return SYSTEM
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "requester"
    return actor.get_username()


def _event(request, kind, *, by=None, body="", visible=False, **fields) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=by if isinstance(by, User) else None,
        actor_label=_label(by),
        visible_to_requester=visible,
        body=body,
        **fields,
    )


def _audit(by, action: str, request: RightsRequest, **details) -> None:
    audit.record(
        by if getattr(by, "is_authenticated", False) else None,
        action,
        target=request,
        details={"reference": request.reference, **details},
    )


def _send(key: str, request: RightsRequest, **extra) -> None:
    send_letter.delay_on_commit(request.pk, key, extra)


def _today() -> datetime.date:
    return timezone.localdate()


def _recompute_due(request: RightsRequest) -> None:
    if request.clock_started_on is not None:
        request.due_on = due_date(
            request.clock_started_on,
            paused_days=request.paused_days,
            extension_months=request.extension_months,
        )


def _move(
    request: RightsRequest,
    target: str,
    *,
    by,
    body="",
    visible=True,
    clock_start: datetime.date | None = None,
) -> None:
    """Change state (if allowed), keep the clock right, and put it on the timeline."""
    check_transition(request.state, target)
    previous, today = request.state, _today()
    if target == State.VERIFIED and request.clock_started_on is None:
        request.verified_at = timezone.now()
        request.clock_started_on = clock_start or today
    if target == State.AWAITING_REQUESTER:
        request.paused_since = today
    elif previous == State.AWAITING_REQUESTER and request.paused_since is not None:
        request.paused_days += (today - request.paused_since).days
        request.paused_since = None
    if target not in OPEN_STATES:
        request.closed_at = timezone.now()
    request.state = target
    _recompute_due(request)
    request.save()
    _event(
        request,
        Kind.TRANSITION,
        by=by,
        body=body,
        visible=visible,
        from_state=previous,
        to_state=target,
    )
    _audit(by, f"rights_request.{target}", request, from_state=previous)


# --- Filing and verification -------------------------------------------------------------


def _new_reference(request: RightsRequest) -> str:
    return f"RR-{request.received_at.year}-{request.pk:06d}"


def rights_request_file(
    *,
    kind: str,
    requester_name: str,
    requester_email: str,
    channel: str,
    description: str = "",
    organisation_name: str = "",
    organisation=None,
    filed_by=None,
    received_at: datetime.datetime | None = None,
    verified: bool = False,
    own_account: User | None = None,
) -> RightsRequest:
    """File a request. ``verified``: the requester's identity needs no e-mail check (a logged-in
    user, an integration filing for its own user, a request the DPO logged after checking).
    Otherwise a one-time link goes to the address, and the clock starts when it is opened.
    ``own_account``: the requester's own account, known at filing (see
    rights_request_link_own_account); linked before verification so that what runs at once
    on verification already sees the subject.
    """
    request = RightsRequest(
        reference=f"pending-{uuid.uuid4().hex[:12]}",
        kind=kind,
        channel=channel,
        requester_name=requester_name.strip(),
        requester_email=UserManager.normalize_email(requester_email),
        description=description.strip(),
        organisation_name=organisation_name.strip(),
        organisation=organisation,
        filed_by=filed_by if isinstance(filed_by, User) else None,
        filed_by_label=_label(filed_by) if filed_by is not None else "",
        received_at=received_at or timezone.now(),
    )
    request.full_clean(exclude=["reference"])
    with transaction.atomic():
        request.save()
        request.reference = _new_reference(request)
        request.save(update_fields=["reference"])
        _event(request, Kind.ACTION, by=filed_by, body="Request received.", visible=True)
        _audit(filed_by, "rights_request.file", request, kind=kind, channel=channel)
        if own_account is not None:
            rights_request_link_own_account(request=request, user=own_account, by=filed_by)
        if verified:
            # The day of receipt starts the clock when no identity check is needed.
            _verified(request, by=filed_by, clock_start=timezone.localdate(request.received_at))
        else:
            request.verification_nonce = secrets.token_urlsafe(32)
            request.verification_sent_at = timezone.now()
            _move(request, State.AWAITING_VERIFICATION, by=filed_by)
            _send("verification", request)
    return request


def _verified(request: RightsRequest, *, by, clock_start: datetime.date | None = None) -> None:
    _move(
        request,
        State.VERIFIED,
        by=by,
        body="Identity confirmed; the time limit runs.",
        clock_start=clock_start,
    )
    letter = "complaint_acknowledgement" if request.kind == RequestKind.COMPLAINT else None
    _send(letter or "acknowledgement", request)
    # Steps that follow verification at once, whatever the DPO does next.
    outcome = immediate.run(request)
    if outcome is not None:
        rights_request_complete_by_system(request=request, outcome=outcome)


def rights_request_verify(*, token: str) -> tuple[RightsRequest | None, str]:
    """Open a verification link: the request, and "" or why it failed ("invalid", "expired")."""
    try:
        nonce = signing.loads(token, salt=VERIFICATION_SALT)
    except signing.BadSignature:
        return None, "invalid"
    with transaction.atomic():
        request = (
            RightsRequest.objects.select_for_update()
            .filter(verification_nonce=nonce)
            .exclude(verification_nonce="")
            .first()
        )
        if request is None:
            return None, "invalid"
        if request.state != State.AWAITING_VERIFICATION:
            return request, ""  # opened twice: already verified (or closed)
        if timezone.now() - request.verification_sent_at > VERIFICATION_LIFETIME:
            return request, "expired"
        _verified(request, by=None)
    return request, ""


def rights_request_resend_verification(*, request: RightsRequest) -> None:
    if request.state != State.AWAITING_VERIFICATION:
        raise TransitionRefused("Only a request awaiting verification can be sent a new link.")
    request.verification_nonce = secrets.token_urlsafe(32)
    request.verification_sent_at = timezone.now()
    request.save(update_fields=["verification_nonce", "verification_sent_at"])
    _send("verification", request)


# --- The DPO's steps ------------------------------------------------------------------------


def _require_staff(by) -> None:
    if not actor_is_staff(by):
        raise PermissionDenied("Only the privacy team works rights requests.")


def rights_request_start(*, request: RightsRequest, by) -> RightsRequest:
    _require_staff(by)
    with transaction.atomic():
        _move(request, State.IN_PROGRESS, by=by, body="Work on the request started.")
    return request


def rights_request_ask_requester(*, request: RightsRequest, message: str, by) -> RightsRequest:
    """Ask for clarification or proof of identity: the clock pauses until they answer."""
    _require_staff(by)
    if not message.strip():
        raise ValidationError({"message": "Say what you need from the requester."})
    with transaction.atomic():
        _move(request, State.AWAITING_REQUESTER, by=by, body=message.strip())
        _send("clarification", request, message=message.strip())
    return request


def rights_request_resume(*, request: RightsRequest, by, body: str = "") -> RightsRequest:
    _require_staff(by)
    with transaction.atomic():
        _move(request, State.IN_PROGRESS, by=by, body=body or "The time limit runs again.")
    return request


def rights_request_extend(*, request: RightsRequest, months: int, reason: str, by) -> RightsRequest:
    """Extend by up to two further months, before the original due date, telling the requester."""
    _require_staff(by)
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
    if _today() > original:
        raise TransitionRefused(
            f"The original due date ({original:%-d %B %Y}) has passed: it is too late to extend."
        )
    with transaction.atomic():
        request.extension_months += months
        request.extension_reason = reason
        _recompute_due(request)
        request.save(update_fields=["extension_months", "extension_reason", "due_on"])
        _event(
            request,
            Kind.EXTENSION,
            by=by,
            visible=True,
            body=f"Extended by {months} month(s) to {request.due_on:%-d %B %Y}: {reason}",
        )
        _audit(by, "rights_request.extend", request, months=months)
        _send("extension", request, reason=reason)
    return request


def rights_request_complete(*, request: RightsRequest, outcome: str, by) -> RightsRequest:
    _require_staff(by)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": "Write the answer the requester will receive."})
    with transaction.atomic():
        request.outcome = outcome
        _move(request, State.COMPLETED, by=by, body=outcome)
        _send("completed", request, message=outcome)
    return request


def rights_request_complete_by_system(*, request: RightsRequest, outcome: str) -> RightsRequest:
    """Complete a request the app honours at once by itself (an objection to direct
    marketing): no staff member acts; the timeline and the letter say what was done."""
    with transaction.atomic():
        request.outcome = outcome.strip()
        _move(request, State.COMPLETED, by=SYSTEM, body=request.outcome)
        _send("completed", request, message=request.outcome)
    return request


def rights_request_reject(*, request: RightsRequest, reason: str, by) -> RightsRequest:
    """Refuse a manifestly unfounded or excessive request, with the reason and the ICO."""
    _require_staff(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the request is refused."})
    with transaction.atomic():
        request.outcome = reason
        _move(request, State.REJECTED, by=by, body=reason)
        _send("rejected", request, reason=reason)
    return request


def rights_request_withdraw(*, request: RightsRequest, by=None) -> RightsRequest:
    """The requester (or the DPO on their word) withdraws the request."""
    with transaction.atomic():
        _move(request, State.WITHDRAWN, by=by, body="The request was withdrawn.")
    return request


def rights_request_assign(*, request: RightsRequest, assignee, by) -> RightsRequest:
    _require_staff(by)
    if assignee is not None and not actor_is_staff(assignee):
        raise ValidationError({"assignee": "Assign requests to the privacy team only."})
    with transaction.atomic():
        request.assignee = assignee
        request.save(update_fields=["assignee"])
        who = assignee.full_name if assignee else "nobody"
        _event(request, Kind.ASSIGNMENT, by=by, body=f"Assigned to {who}.")
        _audit(by, "rights_request.assign", request, assignee=getattr(assignee, "pk", None))
    return request


def rights_request_note(*, request: RightsRequest, body: str, by) -> RequestEvent:
    """An internal note: never shown to the requester."""
    _require_staff(by)
    if not body.strip():
        raise ValidationError({"body": "Write the note."})
    with transaction.atomic():
        event = _event(request, Kind.NOTE, by=by, body=body.strip())
        _audit(by, "rights_request.note", request)
    return event


def rights_request_message(*, request: RightsRequest, body: str, by) -> RequestEvent:
    """A message to the requester: on their status page and by e-mail."""
    _require_staff(by)
    if not body.strip():
        raise ValidationError({"body": "Write the message."})
    with transaction.atomic():
        event = _event(request, Kind.MESSAGE_TO_REQUESTER, by=by, body=body.strip(), visible=True)
        _audit(by, "rights_request.message", request)
        _send("message", request, message=body.strip())
    return event


def rights_request_requester_reply(*, request: RightsRequest, body: str) -> RequestEvent:
    """The requester answers from their status page; a paused clock does not restart by
    itself: the DPO resumes it once the answer is enough."""
    if not body.strip():
        raise ValidationError({"body": "Write your message."})
    if not request.is_open:
        raise TransitionRefused("This request is closed; file a new one if you need to.")
    with transaction.atomic():
        event = _event(request, Kind.MESSAGE_FROM_REQUESTER, body=body.strip(), visible=True)
        _audit(None, "rights_request.requester_message", request)
    return event


# --- Matching the requester to data subjects ---------------------------------------------


def rights_request_link_own_account(
    *, request: RightsRequest, user: User, by=None
) -> RequestSubject:
    """Match a request to the requester's own account without the DPO: the person filed while
    logged in, or an integration filed for a user of its own organisation with that e-mail."""
    by = by if by is not None else user
    with transaction.atomic():
        subject, created = RequestSubject.objects.get_or_create(
            request=request,
            user=user,
            defaults={"confirmed_by": by if isinstance(by, User) else None},
        )
        if created:
            _event(request, Kind.ACTION, by=by, body="Matched to the requester's own account.")
            _audit(by, "rights_request.subject_link_own", request, user=user.pk)
    return subject


def rights_request_confirm_subject(*, request: RightsRequest, user: User, by) -> RequestSubject:
    _require_staff(by)
    with transaction.atomic():
        subject, created = RequestSubject.objects.get_or_create(
            request=request, user=user, defaults={"confirmed_by": by}
        )
        if created:
            _event(request, Kind.ACTION, by=by, body=f"Matched to the account {user.email}.")
            _audit(by, "rights_request.subject_confirm", request, user=user.pk)
    return subject


def rights_request_remove_subject(*, request: RightsRequest, user: User, by) -> None:
    _require_staff(by)
    with transaction.atomic():
        removed, _ = RequestSubject.objects.filter(request=request, user=user).delete()
        if removed:
            _event(request, Kind.ACTION, by=by, body=f"Unmatched from the account {user.email}.")
            _audit(by, "rights_request.subject_remove", request, user=user.pk)


# --- The back office: viewing a request, editing letters ------------------------------------


def rights_request_view_record(*, request: RightsRequest, by) -> None:
    """Opening a request shows a person's data: each display is in the audit trail."""
    _require_staff(by)
    _audit(by, "rights_request.view", request)


def letter_template_update(*, template, title: str, body: str, by):
    """The DPO rewords a standard letter; the old wording stays in the audit trail."""
    if getattr(by, "role", None) != Role.DPO:
        raise PermissionDenied("Only the DPO edits the standard letters.")
    previous = {"title": template.title, "body": template.body}
    template.title, template.body = title.strip(), body.strip()
    template.full_clean()
    with transaction.atomic():
        template.save()
        audit.record(
            by, "letter.edit", target=template, details={"key": template.key, "before": previous}
        )
    return template
