import datetime

from django.conf import settings
from django.core import signing
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from dsar.models import (
    OPEN_STATES,
    UNDATED,
    Channel,
    RequestKind,
    RequestSubject,
    RightsRequest,
    State,
)

STATUS_SALT = "dsar.status"
VERIFICATION_SALT = "dsar.verification"
DUE_SOON_DAYS = 7


# What the requester's status page says happens next, in each state.
NEXT_STEPS = {
    State.SUBMITTED: "We are recording your request; you will receive an e-mail about it shortly.",
    State.AWAITING_VERIFICATION: (
        "Please open the confirmation link we e-mailed you: we start work, and the time limit "
        "starts, once you confirm your e-mail address. If the link has expired you can ask for a "
        "new one; requests not confirmed within {close_days} days are closed."
    ),
    State.VERIFIED: (
        "Your e-mail address is confirmed. Our privacy team will pick up your request and answer "
        "by the due date above; we will e-mail you if we need anything from you."
    ),
    State.IN_PROGRESS: (
        "Our privacy team is working on your request and will answer by the due date above. "
        "We will e-mail you when it is done, or if we need anything from you."
    ),
    State.AWAITING_REQUESTER: (
        "We are waiting for your answer to our question below. Once you reply with the form at "
        "the bottom of this page, the time limit runs again and we carry on."
    ),
    State.COMPLETED: (
        "Your request is complete: our answer is in the history below. Nothing more happens "
        "unless you write to us. If you are unhappy with our answer you can complain to the "
        "Information Commissioner's Office (ico.org.uk)."
    ),
    State.REJECTED: (
        "We have closed this request for the reason in the history below; nothing more happens. "
        "You can make a new request at any time, and if you disagree you can complain to the "
        "Information Commissioner's Office (ico.org.uk)."
    ),
    State.WITHDRAWN: (
        "You withdrew this request, so nothing more happens. You can make a new request at "
        "any time."
    ),
}


def next_step(request: RightsRequest) -> str:
    """The sentence the requester's status page shows under "What happens next"."""
    return NEXT_STEPS[State(request.state)].format(
        close_days=settings.RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS
    )


def status_token(request: RightsRequest) -> str:
    """The signed part of the requester's status-page link."""
    return signing.dumps(request.reference, salt=STATUS_SALT)


def verification_token(request: RightsRequest) -> str:
    """The signed part of the link that proves the requester controls the e-mail address."""
    return signing.dumps(request.verification_nonce, salt=VERIFICATION_SALT)


def request_from_status_token(token: str) -> RightsRequest | None:
    try:
        reference = signing.loads(token, salt=STATUS_SALT)
    except signing.BadSignature:
        return None
    return RightsRequest.objects.filter(reference=reference).first()


def rights_requests() -> QuerySet[RightsRequest]:
    """Rights requests proper: complaints have their own queue, clock and alerts (below)."""
    return RightsRequest.objects.exclude(kind=RequestKind.COMPLAINT)


def requests_open() -> QuerySet[RightsRequest]:
    return rights_requests().filter(state__in=OPEN_STATES)


def requests_due_soon(today: datetime.date | None = None) -> QuerySet[RightsRequest]:
    today = today or timezone.localdate()
    return requests_open().filter(
        due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
    )


def requests_overdue(today: datetime.date | None = None) -> QuerySet[RightsRequest]:
    return requests_open().filter(due_on__lt=today or timezone.localdate())


def request_counts_by_state() -> dict[str, int]:
    # COUNT(*), not COUNT(id): the index dsar_request_state_counts holds no id, and with
    # nothing else to read PostgreSQL answers from the index alone.
    counts = dict(rights_requests().values_list("state").annotate(n=Count("*")))
    return {state: counts.get(state, 0) for state in State.values}


def requests_of_user(user: User) -> QuerySet[RightsRequest]:
    """A logged-in person's own requests: those they filed from their account page, and those
    matched to their account (by the DPO, or at filing: rights_request_link_own_account).

    Never by e-mail: an account's address today says nothing about who filed a request with
    it. A public request is reached through the status link sent to its verified address.
    """
    matched = RequestSubject.objects.filter(user=user).values("request_id")
    return RightsRequest.objects.filter(
        Q(channel=Channel.ACCOUNT, filed_by=user) | Q(pk__in=matched)
    )


def subject_candidates(request: RightsRequest) -> QuerySet[User]:
    """Accounts that may be the requester: the same e-mail (current, suspended or terminated).

    The DPO confirms each match by hand; none or several are shown as they are.
    """
    return User.objects.filter(email=request.requester_email).select_related("organisation")


# --- The DPO's queue ----------------------------------------------------------------------


# The queue's order, for its keyset pages (common.paging): the soonest due first, undated last,
# then the oldest; the index dsar_queue_order serves it.
QUEUE_KEY = {
    "due_sort": RightsRequest._meta.get_field("due_on"),
    "received_at": RightsRequest._meta.get_field("received_at"),
    "id": RightsRequest._meta.get_field("id"),
}


def requests_for_queue() -> QuerySet[RightsRequest]:
    """Every rights request, the soonest due first and those without a due date last."""
    return (
        rights_requests()
        .select_related("assignee")
        .annotate(due_sort=Coalesce("due_on", UNDATED))
        .order_by(*QUEUE_KEY)
    )


def request_due_mark(request: RightsRequest, today: datetime.date | None = None) -> str:
    """The due mark, "overdue", "due_soon" or "": the rule of requests_overdue/_due_soon."""
    if not request.is_open or request.due_on is None:
        return ""
    today = today or timezone.localdate()
    if request.due_on < today:
        return "overdue"
    if request.due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return ""


# --- Complaints (Data Protection Act 2018 s.164A) -----------------------------------------


def complaints() -> QuerySet[RightsRequest]:
    return RightsRequest.objects.filter(kind=RequestKind.COMPLAINT)


def complaints_open() -> QuerySet[RightsRequest]:
    return complaints().filter(state__in=OPEN_STATES)


def complaints_to_acknowledge() -> QuerySet[RightsRequest]:
    return complaints_open().filter(acknowledged_at__isnull=True)


def complaints_acknowledgement_overdue(
    today: datetime.date | None = None,
) -> QuerySet[RightsRequest]:
    return complaints_to_acknowledge().filter(acknowledge_by__lt=today or timezone.localdate())


def complaints_acknowledgement_due_soon(
    today: datetime.date | None = None,
) -> QuerySet[RightsRequest]:
    today = today or timezone.localdate()
    return complaints_to_acknowledge().filter(
        acknowledge_by__gte=today,
        acknowledge_by__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
    )


def complaints_outcome_overdue(today: datetime.date | None = None) -> QuerySet[RightsRequest]:
    """Open complaints past the one-month date we give ourselves for the outcome."""
    return complaints_open().filter(due_on__lt=today or timezone.localdate())


def complaint_acknowledgeable_by_email(complaint: RightsRequest) -> bool:
    """False when the complainant's address is the DPO's own, put in for someone who wrote or
    phoned without giving one: the team acknowledges by post or phone and records it."""
    return complaint.requester_email.lower() != settings.DPO_EMAIL.lower()


def complaint_awaits_acknowledgement(complaint: RightsRequest, *, by_email: bool = False) -> bool:
    """Open and not yet acknowledged; ``by_email``: and with an address of its own to e-mail."""
    return (
        complaint.is_complaint
        and complaint.is_open
        and complaint.acknowledged_at is None
        and (not by_email or complaint_acknowledgeable_by_email(complaint))
    )


def complaints_for_queue() -> QuerySet[RightsRequest]:
    """Complaints awaiting acknowledgement first, by their acknowledgement date; then the
    others by the date their outcome is due; those with neither date last."""
    return (
        complaints()
        .select_related("assignee")
        .annotate(
            to_acknowledge=Case(
                When(acknowledged_at__isnull=True, state__in=OPEN_STATES, then=Value(0)),
                default=Value(1),
            ),
            sort_on=Case(
                When(acknowledged_at__isnull=True, then=F("acknowledge_by")),
                default=F("due_on"),
            ),
        )
        .order_by("to_acknowledge", F("sort_on").asc(nulls_last=True), "received_at", "pk")
    )


def complaint_acknowledgement_mark(
    complaint: RightsRequest, today: datetime.date | None = None
) -> str:
    """ "overdue", "due_soon" or "": the rule of complaints_acknowledgement_overdue/_due_soon."""
    if complaint.acknowledged_at or not complaint.is_open or complaint.acknowledge_by is None:
        return ""
    today = today or timezone.localdate()
    if complaint.acknowledge_by < today:
        return "overdue"
    if complaint.acknowledge_by <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return ""
