import datetime

from django.core import signing
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from dsar.models import OPEN_STATES, Channel, RequestSubject, RightsRequest, State

STATUS_SALT = "dsar.status"
VERIFICATION_SALT = "dsar.verification"
DUE_SOON_DAYS = 7


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


def requests_open() -> QuerySet[RightsRequest]:
    return RightsRequest.objects.filter(state__in=OPEN_STATES)


def requests_due_soon(today: datetime.date | None = None) -> QuerySet[RightsRequest]:
    today = today or timezone.localdate()
    return requests_open().filter(
        due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
    )


def requests_overdue(today: datetime.date | None = None) -> QuerySet[RightsRequest]:
    return requests_open().filter(due_on__lt=today or timezone.localdate())


def request_counts_by_state() -> dict[str, int]:
    counts = dict(RightsRequest.objects.values_list("state").annotate(n=Count("id")))
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


def requests_for_queue() -> QuerySet[RightsRequest]:
    """Every request, the soonest due first and those without a due date last."""
    return RightsRequest.objects.select_related("assignee").order_by(
        F("due_on").asc(nulls_last=True), "received_at", "pk"
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
