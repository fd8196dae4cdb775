"""What every rights-request step shares: the state move with its statutory clock, the
timeline event, the audit entry, and who may work a request. (The letter to the requester is
dsar.services.outgoing: this module enqueues nothing, so the beat tasks can use it.)"""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

import audit
from accounts.models import User
from accounts.selectors import actor_decides, actor_is_staff
from dsar.deadlines import due_date
from dsar.models import OPEN_STATES, RequestEvent, RightsRequest, State
from dsar.workflow import check_transition

Kind = RequestEvent.Kind


SYSTEM = "system"  # ``by`` for a step the app takes by itself, with no person acting


def actor_label(actor) -> str:
    if actor == SYSTEM:
        return SYSTEM
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "requester"
    return actor.get_username()


def event_add(request, kind, *, by=None, body="", visible=False, **fields) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=by if isinstance(by, User) else None,
        actor_label=actor_label(by),
        visible_to_requester=visible,
        body=body,
        **fields,
    )


def audit_step(by, action: str, request: RightsRequest, **details) -> None:
    audit.record(
        by if getattr(by, "is_authenticated", False) else None,
        action,
        target=request,
        details={"reference": request.reference, **details},
    )


def local_today() -> datetime.date:
    return timezone.localdate()


def due_recompute(request: RightsRequest) -> None:
    if request.clock_started_on is not None:
        request.due_on = due_date(
            request.clock_started_on,
            paused_days=request.paused_days,
            extension_months=request.extension_months,
        )


def state_move(
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
    previous, today = request.state, local_today()
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
    due_recompute(request)
    request.save()
    event_add(
        request,
        Kind.TRANSITION,
        by=by,
        body=body,
        visible=visible,
        from_state=previous,
        to_state=target,
    )
    audit_step(by, f"rights_request.{target}", request, from_state=previous)


def require_staff(by) -> None:
    if not actor_is_staff(by):
        raise PermissionDenied("Only the privacy team works rights requests.")


DECIDED_BY_DPO = (
    "Only the data protection officer decides a request (completes, rejects or extends it, "
    "approves an erasure or a correction): support prepares it for them."
)


def require_decider(by) -> None:
    """Support prepares a request (matching, notes, messages, packages); the DPO decides it."""
    require_staff(by)
    if not actor_decides(by):
        raise PermissionDenied(DECIDED_BY_DPO)
