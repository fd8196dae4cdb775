"""Which state a rights request may move to from which. Anything else is refused (409)."""

from django.core.exceptions import ValidationError

from dsar.models import State

ALLOWED = {
    State.SUBMITTED: {
        State.AWAITING_VERIFICATION,
        State.VERIFIED,
        State.REJECTED,
        State.WITHDRAWN,
    },
    State.AWAITING_VERIFICATION: {State.VERIFIED, State.REJECTED, State.WITHDRAWN},
    State.VERIFIED: {
        State.IN_PROGRESS,
        State.AWAITING_REQUESTER,
        State.COMPLETED,
        State.REJECTED,
        State.WITHDRAWN,
    },
    State.IN_PROGRESS: {
        State.AWAITING_REQUESTER,
        State.COMPLETED,
        State.REJECTED,
        State.WITHDRAWN,
    },
    State.AWAITING_REQUESTER: {State.IN_PROGRESS, State.REJECTED, State.WITHDRAWN},
    State.COMPLETED: set(),
    State.REJECTED: set(),
    State.WITHDRAWN: set(),
}


class TransitionRefused(ValidationError):
    """The request's state does not allow this step (the API answers 409)."""


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED[State(current)]:
        raise TransitionRefused(
            f"A request that is {State(current).label.lower()} cannot become "
            f"{State(target).label.lower()}."
        )
