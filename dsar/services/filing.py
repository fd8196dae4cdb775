"""Filing a rights request and verifying the requester's e-mail address."""

import datetime
import secrets
import uuid
from collections.abc import Sequence

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserManager
from datamap.purposes import legitimate_interest_purposes
from dsar.deadlines import acknowledgement_due_date
from dsar.executors import immediate
from dsar.models import RequestKind, RightsRequest, State
from dsar.selectors import VERIFICATION_SALT, complaint_acknowledgeable_by_email
from dsar.services.outgoing import complaint_acknowledgement_send, letter_send
from dsar.services.steps import rights_request_complete_by_system
from dsar.services.subjects import rights_request_link_own_account
from dsar.services.timeline import (
    Kind,
    actor_label,
    audit_step,
    event_add,
    state_move,
)
from dsar.workflow import TransitionRefused

VERIFICATION_LIFETIME = datetime.timedelta(hours=24)


def objection_purposes_clean(kind: str, purposes: Sequence[str]) -> list[str]:
    """The purposes objected to, in the record's order; only legitimate-interest purposes,
    and only on an objection."""
    chosen = set(purposes)
    if not chosen:
        return []
    if kind != RequestKind.OBJECTION:
        raise ValidationError(
            {"objection_purposes": "Only an objection to legitimate interests names purposes."}
        )
    offered = legitimate_interest_purposes()
    unknown = chosen - {purpose.value for purpose in offered}
    if unknown:
        raise ValidationError(
            {
                "objection_purposes": "Only uses of your data on our legitimate interests can be "
                "objected to."
            }
        )
    return [purpose.value for purpose in offered if purpose.value in chosen]


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
    objection_purposes: Sequence[str] = (),
) -> RightsRequest:
    """File a request. ``verified``: the requester's identity needs no e-mail check (a logged-in
    user, an integration filing for its own user, a request the DPO logged after checking).
    Otherwise a one-time link goes to the address, and the clock starts when it is opened.
    ``own_account``: the requester's own account, known at filing (see
    rights_request_link_own_account); linked before verification so that what runs at once
    on verification already sees the subject. ``objection_purposes``: for an objection, the
    purposes objected to, each on legitimate interests (one the DPO logs may name none yet).
    """
    purposes = objection_purposes_clean(kind, objection_purposes)
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
        filed_by_label=actor_label(filed_by) if filed_by is not None else "",
        received_at=received_at or timezone.now(),
        objection_purposes=purposes,
    )
    if request.is_complaint:
        request.acknowledge_by = acknowledgement_due_date(timezone.localdate(request.received_at))
    request.full_clean(exclude=["reference"])
    with transaction.atomic():
        request.save()
        request.reference = _new_reference(request)
        request.save(update_fields=["reference"])
        event_add(request, Kind.ACTION, by=filed_by, body="Request received.", visible=True)
        audit_step(filed_by, "rights_request.file", request, kind=kind, channel=channel)
        if own_account is not None:
            rights_request_link_own_account(request=request, user=own_account, by=filed_by)
        if verified:
            # The day of receipt starts the clock when no identity check is needed.
            _verified(request, by=filed_by, clock_start=timezone.localdate(request.received_at))
        else:
            request.verification_nonce = secrets.token_urlsafe(32)
            request.verification_sent_at = timezone.now()
            state_move(request, State.AWAITING_VERIFICATION, by=filed_by)
            letter_send("verification", request)
        if request.is_complaint and complaint_acknowledgeable_by_email(request):
            # Acknowledged on receipt, whoever filed it and whether or not the address is
            # confirmed yet: the 30 days run from receipt (s.164A(3)).
            complaint_acknowledgement_send(request)
    return request


def _verified(request: RightsRequest, *, by, clock_start: datetime.date | None = None) -> None:
    state_move(
        request,
        State.VERIFIED,
        by=by,
        body="Identity confirmed; the time limit runs.",
        clock_start=clock_start,
    )
    if not request.is_complaint:  # a complaint was acknowledged on receipt
        letter_send("acknowledgement", request)
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
    letter_send("verification", request)


def rights_request_send_new_link(*, email: str) -> int:
    """Send a new verification link for each request of this address still awaiting one.

    Returns how many were sent; the caller must not tell the visitor (no enumeration). The
    new link replaces the old, which is refused from then on.
    """
    pending = RightsRequest.objects.filter(
        requester_email__iexact=UserManager.normalize_email(email),
        state=State.AWAITING_VERIFICATION,
    )
    sent = 0
    with transaction.atomic():
        for request in pending.select_for_update().order_by("pk"):
            rights_request_resend_verification(request=request)
            event_add(request, Kind.ACTION, by=None, body="A new confirmation link was sent.")
            sent += 1
    return sent
