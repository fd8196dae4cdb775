"""Where a rights request stands, in words for the person reading: the requester's states
(Received, Checking your identity, Working on it, Waiting for you, Done, Closed), the stepper
both pages show, and the step the privacy team takes next."""

from dataclasses import dataclass

from dsar.models import RightsRequest, State
from dsar.selectors import complaint_awaits_acknowledgement

REQUESTER_STATE = {
    State.SUBMITTED: "Received",
    State.AWAITING_VERIFICATION: "Checking your identity",
    State.VERIFIED: "Working on it",
    State.IN_PROGRESS: "Working on it",
    State.AWAITING_REQUESTER: "Waiting for you",
    State.COMPLETED: "Done",
    State.REJECTED: "Closed",
    State.WITHDRAWN: "Closed",
}

# The stepper's stages; each state sits at one of them.
_STAGE_OF = {
    State.SUBMITTED: 0,
    State.AWAITING_VERIFICATION: 1,
    State.VERIFIED: 2,
    State.IN_PROGRESS: 2,
    State.AWAITING_REQUESTER: 2,
    State.COMPLETED: 3,
    State.REJECTED: 3,
    State.WITHDRAWN: 3,
}
_REQUESTER_STAGES = ("Received", "Checking your identity", "Working on it", "Done")
_TEAM_STAGES = ("Received", "Identity confirmed", "In progress", "Answered")

# The workflow step (dsar.views.rights_request.STEPS) the team takes next, in each state.
NEXT_TEAM_STEP = {
    State.VERIFIED: "start",
    State.IN_PROGRESS: "complete",
    State.AWAITING_REQUESTER: "resume",
}


def next_team_step(request: RightsRequest) -> str | None:
    """The step the team takes next. A complaint is acknowledged first, whatever its state,
    and answered with its outcome rather than completed."""
    if complaint_awaits_acknowledgement(request):
        by_email = complaint_awaits_acknowledgement(request, by_email=True)
        return "acknowledge" if by_email else "acknowledged"
    slug = NEXT_TEAM_STEP.get(State(request.state))
    return "answer" if request.is_complaint and slug == "complete" else slug


@dataclass(frozen=True)
class Stage:
    label: str
    status: str  # "done", "current" or "todo"


def requester_state(request: RightsRequest) -> str:
    return REQUESTER_STATE[State(request.state)]


def request_stages(request: RightsRequest, *, for_requester: bool) -> list[Stage]:
    """The stepper: every stage before the request's is done, its own is current. The current
    stage reads as the state itself where that says more ("Waiting for you", "Closed")."""
    state = State(request.state)
    at = _STAGE_OF[state]
    labels = list(_REQUESTER_STAGES if for_requester else _TEAM_STAGES)
    labels[at] = REQUESTER_STATE[state] if for_requester else _team_label(state, labels[at])
    return [
        Stage(label, "done" if n < at else "current" if n == at else "todo")
        for n, label in enumerate(labels)
    ]


def _team_label(state: State, stage: str) -> str:
    if state == State.VERIFIED:
        return "Ready to start"
    if state in (
        State.AWAITING_VERIFICATION,
        State.AWAITING_REQUESTER,
        State.REJECTED,
        State.WITHDRAWN,
    ):
        return state.label
    return stage
