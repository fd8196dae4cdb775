"""Rights honoured the moment the requester is verified."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from dsar.models import RequestKind, RightsRequest


def run(request: RightsRequest) -> None:
    if request.kind == RequestKind.COMPLAINT:
        _route_complaint(request)


def _route_complaint(request: RightsRequest) -> None:
    """A complaint goes straight to the DPO's inbox as well as the queue."""
    subject = f"Complaint {request.reference} from {request.requester_name}"
    body = (
        f"{request.description}\n\nWork it in the back office: "
        f"{settings.SITE_URL}/backoffice/requests/{request.reference}/"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [settings.DPO_EMAIL]))
