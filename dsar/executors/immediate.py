"""Rights honoured the moment the requester is verified."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from communications.services import marketing_object
from dsar.models import RequestKind, RightsRequest


def run(request: RightsRequest) -> None:
    if request.kind == RequestKind.COMPLAINT:
        _route_complaint(request)
    elif request.kind == RequestKind.MARKETING_OBJECTION:
        _honour_marketing_objection(request)


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


def _honour_marketing_objection(request: RightsRequest) -> None:
    """An absolute right: every account with the requester's e-mail (and any account already
    matched) gets a marketing opt-out now, with no reassessment; the request completes."""
    from accounts.models import User
    from dsar.services import rights_request_complete_by_system

    users = User.objects.filter(email=request.requester_email) | User.objects.filter(
        pk__in=request.subjects.values("user_id")
    )
    count = 0
    for user in users.distinct().order_by("pk"):
        # No person acts: the system honours it (marketing_object records a None actor).
        marketing_object(user=user, by=None, source="rights_request")
        count += 1
    accounts = f" ({count} account{'s' if count != 1 else ''})" if count else ""
    rights_request_complete_by_system(
        request=request,
        outcome=MARKETING_DONE.format(address=request.requester_email, accounts=accounts),
    )
