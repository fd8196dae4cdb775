"""Intake helpers shared by the public form, the account page and the API."""

from django.conf import settings
from django.core import signing
from django.db import transaction

from common.ratelimit import email_and_ip_limits, rate_allow
from dsar.models import RequestEvent, RightsRequest
from dsar.services.filing import rights_request_file

SUBMITTED_SALT = "dsar.submitted"
# The "check your e-mail" page shows the reference for a day after filing; no longer.
SUBMITTED_MAX_AGE = 24 * 3600
RATE_LIMITED_MESSAGE = (
    "We have received several requests from you recently, so we cannot take another one "
    "just now. Please try again later, or write to our Data Protection Officer at {dpo_email}."
)


def rate_limited_message() -> str:
    return RATE_LIMITED_MESSAGE.format(dpo_email=settings.DPO_EMAIL)


# --- Rate limits ----------------------------------------------------------------------------


def intake_allowed(*, ip_address: str | None = None, email: str | None = None) -> bool:
    """May one more request be filed from this IP, for this e-mail? If so, count it.

    Fixed windows in the cache, one per IP and one per e-mail: the window starts at the first
    filing. Counting only when both allow means a refused attempt does not extend the wait.
    Two concurrent filings may both pass at the limit: a little inexact, and harmless here.
    """
    return rate_allow(
        email_and_ip_limits(
            "dsar-intake",
            email=email,
            ip_address=ip_address,
            per_email=(
                settings.RIGHTS_REQUEST_LIMIT_PER_EMAIL,
                settings.RIGHTS_REQUEST_LIMIT_PER_EMAIL_SECONDS,
            ),
            per_ip=(
                settings.RIGHTS_REQUEST_LIMIT_PER_IP,
                settings.RIGHTS_REQUEST_LIMIT_PER_IP_SECONDS,
            ),
        )
    )


def new_link_allowed(*, ip_address: str | None, email: str) -> bool:
    """May one more new verification link be asked for from this IP, for this e-mail? If so,
    count it. Counted whether or not a request awaits the address, so the limit reveals
    nothing either."""
    return rate_allow(
        email_and_ip_limits(
            "dsar-new-link",
            email=email,
            ip_address=ip_address,
            per_email=(
                settings.RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_EMAIL,
                settings.RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_EMAIL_SECONDS,
            ),
            per_ip=(
                settings.RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_IP,
                settings.RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_IP_SECONDS,
            ),
        )
    )


# --- The "check your e-mail" page ---------------------------------------------------------


def submitted_token(request: RightsRequest) -> str:
    return signing.dumps(request.reference, salt=SUBMITTED_SALT)


def reference_from_submitted_token(token: str) -> str | None:
    """The reference to show after filing. It grants nothing: the status page needs the link
    sent by e-mail."""
    try:
        return signing.loads(token, salt=SUBMITTED_SALT, max_age=SUBMITTED_MAX_AGE)
    except signing.BadSignature:
        return None


# --- Filing with corrections ----------------------------------------------------------------


def rights_request_intake(*, corrections=(), **fields) -> RightsRequest:
    """File a request (dsar.services.filing.rights_request_file) with the corrections a
    rectification request proposes (unsaved RectificationItem rows), all or nothing."""
    with transaction.atomic():
        request = rights_request_file(**fields)
        for item in corrections:
            item.request = request
            item.full_clean()
            item.save()
    return request


def requester_events(request: RightsRequest):
    """The timeline the requester may see. Internal notes never, even one marked visible."""
    return request.events.filter(visible_to_requester=True).exclude(kind=RequestEvent.Kind.NOTE)
