"""Rights honoured the moment the requester is verified."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from accounts.models import User
from communications.services import marketing_object
from dsar.models import RequestKind, RightsRequest


def run(request: RightsRequest) -> str | None:
    """Do what the right asks at once; the outcome to complete the request with, if it is
    answered now (the caller, dsar.services, completes it: this module never imports back)."""
    if request.kind == RequestKind.COMPLAINT:
        _route_complaint(request)
    elif request.kind == RequestKind.MARKETING_OBJECTION:
        return _honour_marketing_objection(request)
    return None


def _route_complaint(request: RightsRequest) -> None:
    """A complaint goes straight to the DPO's inbox as well as the queue."""
    subject = f"Complaint {request.reference} from {request.requester_name}"
    body = (
        f"{request.description}\n\nWork it in the back office: "
        f"{settings.SITE_URL}/backoffice/requests/{request.reference}/"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [settings.DPO_EMAIL]))


MARKETING_DONE = (
    "Your objection to direct marketing is recorded: we have stopped every marketing e-mail "
    "(newsletters, webinar invitations, product news) to {address}{accounts}. You will still "
    "receive service and security messages about your account."
)


def _honour_marketing_objection(request: RightsRequest) -> str:
    """An absolute right: every account with the requester's e-mail (and any account already
    matched) gets a marketing opt-out now, with no reassessment; the request completes."""
    users = User.objects.filter(email=request.requester_email) | User.objects.filter(
        pk__in=request.subjects.values("user_id")
    )
    count = 0
    for user in users.distinct().order_by("pk"):
        # No person acts: the system honours it (marketing_object records a None actor).
        marketing_object(user=user, by=None, source="rights_request")
        count += 1
    accounts = f" ({count} account{'s' if count != 1 else ''})" if count else ""
    return MARKETING_DONE.format(address=request.requester_email, accounts=accounts)
