"""Demo rights requests for the embedded mode: one in every state the queue shows."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from datamap.purposes import Purpose
from dsar.executors.restriction import objection_decide, restriction_apply
from dsar.models import Channel, ComplaintOutcome, RequestKind, RightsRequest
from dsar.services.acknowledgement import (
    complaint_acknowledgement_deliver,
    complaint_acknowledgement_made_by_hand,
)
from dsar.services.complaints import complaint_answer
from dsar.services.filing import rights_request_file
from dsar.services.steps import (
    rights_request_ask_requester,
    rights_request_assign,
    rights_request_complete,
    rights_request_extend,
    rights_request_note,
    rights_request_reject,
    rights_request_start,
    rights_request_withdraw,
)
from dsar.services.subjects import rights_request_confirm_subject

# The steps each demo request goes through after filing; ``by`` is the DPO.


def _leave(request, by) -> None:
    pass


def _start(request, by) -> None:
    rights_request_start(request=request, by=by)


def _ask(request, by) -> None:
    _start(request, by)
    rights_request_ask_requester(
        request=request, message="Which of your employers' accounts do you mean?", by=by
    )


def _extend(request, by) -> None:
    _start(request, by)
    rights_request_extend(request=request, months=1, reason="Several linked requests.", by=by)


def _complete(request, by) -> None:
    _start(request, by)
    rights_request_complete(request=request, outcome="Your data is in the package we sent.", by=by)


def _match(request, by):
    user = User.objects.get(email=request.requester_email)
    rights_request_confirm_subject(request=request, user=user, by=by)


def _restrict(request, by) -> None:
    """Restricted: the person is left out of Brightwater's reports and of every marketing send."""
    _start(request, by)
    _match(request, by)
    restriction_apply(request=request, by=by)


def _uphold_analytics(request, by) -> None:
    """Upheld for analytics only: client reports continue, on the grounds the letter gives."""
    _start(request, by)
    _match(request, by)
    objection_decide(
        request=request,
        stop=[Purpose.ANALYTICS],
        reasons="Your employer's usage reports are part of the service it pays for, and they "
        "show only how often and for what the product is used.",
        restrict=False,
        by=by,
    )


def _reject(request, by) -> None:
    rights_request_reject(
        request=request, reason="The same request for the fifth time this month.", by=by
    )


def _withdraw(request, by) -> None:
    rights_request_withdraw(request=request, by=by)


# (e-mail, name, kind, channel, days ago received, verified, next steps, assignee)
# fmt: off
DEMO_REQUESTS = [
    ("olivia.bennett@acme.example", "Olivia Bennett", RequestKind.ACCESS,
     Channel.ACCOUNT, 0, True, _leave, None),
    ("pat.quinn@public.example", "Pat Quinn", RequestKind.ERASURE,
     Channel.WEB_FORM, 0, False, _leave, None),
    ("former.user@public.example", "Morgan Lee", RequestKind.ACCESS,
     Channel.POST, 40, True, _start, "dpo"),
    ("harry.clarke@acme.example", "Harry Clarke", RequestKind.RECTIFICATION,
     Channel.EMAIL, 38, True, _leave, "support"),
    ("grace.wood@brightwater.example", "Grace Wood", RequestKind.RESTRICTION,
     Channel.PHONE, 28, True, _restrict, "dpo"),
    ("poppy.king@brightwater.example", "Poppy King", RequestKind.OBJECTION,
     Channel.EMAIL, 28, True, _leave, None),
    ("evie.baker@brightwater.example", "Evie Baker", RequestKind.OBJECTION,
     Channel.EMAIL, 15, True, _uphold_analytics, "dpo"),
    ("jo.doe@public.example", "Jo Doe", RequestKind.ACCESS,
     Channel.EMAIL, 12, True, _ask, "support"),
    ("sophie.green@acme.example", "Sophie Green", RequestKind.PORTABILITY,
     Channel.EMAIL, 20, True, _extend, "dpo"),
    ("noah.walker@acme.example", "Noah Walker", RequestKind.ACCESS,
     Channel.EMAIL, 30, True, _complete, "dpo"),
    ("repeat.sender@public.example", "Chris Repeat", RequestKind.ERASURE,
     Channel.POST, 8, True, _reject, None),
    ("changed.mind@public.example", "Alex Mind", RequestKind.ACCESS,
     Channel.EMAIL, 5, True, _withdraw, None),
]
# fmt: on
# What each demo objection names (the form asks for the uses objected to).
DEMO_OBJECTION_PURPOSES = {
    "poppy.king@brightwater.example": [Purpose.USAGE, Purpose.ANALYTICS],
    "evie.baker@brightwater.example": [Purpose.USAGE, Purpose.ANALYTICS],
}


def rights_requests_demo_seed(*, dpo, support) -> None:
    """A rights request in every state the queue shows, two overdue and two due soon.

    Whatever today is: due dates fall 28 to 35 days after receipt (a month, then the next
    working day), so 38+ days ago is overdue and 28 days ago is due within a week.

    Each is filed once (keyed by its requester's address) through the services the
    intake and the DPO use; those logged by the DPO carry past received dates.
    """
    filed = set(
        RightsRequest.objects.filter(
            requester_email__in=[row[0] for row in DEMO_REQUESTS]
        ).values_list("requester_email", flat=True)
    )
    staff = {"dpo": dpo, "support": support, None: None}
    now = timezone.now()
    for email, name, kind, channel, days_ago, verified, then, assignee in DEMO_REQUESTS:
        if email in filed:
            continue
        _demo_request_file(
            email=email,
            name=name,
            kind=kind,
            channel=channel,
            received_at=now - timedelta(days=days_ago),
            verified=verified,
            then=then,
            assignee=staff[assignee],
            chased=days_ago > 30,
            dpo=dpo,
        )
    complaints_demo_seed(dpo=dpo, support=support)


def _demo_request_file(
    *, email, name, kind, channel, received_at, verified, then, assignee, chased, dpo
) -> None:
    """File one demo request as its channel would, then take it through its steps."""
    account = User.objects.filter(email=email).first() if channel == Channel.ACCOUNT else None
    request = rights_request_file(
        kind=kind,
        requester_name=name,
        requester_email=email,
        channel=channel,
        description=f"Demo {kind.label.lower()} request.",
        filed_by=account
        or (dpo if channel in (Channel.EMAIL, Channel.PHONE, Channel.POST) else None),
        received_at=received_at,
        verified=verified,
        objection_purposes=DEMO_OBJECTION_PURPOSES.get(email, ()),
    )
    then(request, dpo)
    if assignee is not None:
        rights_request_assign(request=request, assignee=assignee, by=dpo)
    if chased:
        rights_request_note(request=request, body="Chased IT for the archive export.", by=dpo)


# --- Complaints ------------------------------------------------------------------------------


def _answer(request, by) -> None:
    _start(request, by)
    complaint_answer(
        request=request,
        outcome=ComplaintOutcome.PARTLY_UPHELD,
        answer="Your report went to your employer a week later than we said it would; we have "
        "changed how reports are scheduled. The report itself was correct.",
        by=by,
    )


def _acknowledge_by_post(request, by) -> None:
    complaint_acknowledgement_made_by_hand(
        request=request,
        on=timezone.localdate(request.received_at) + timedelta(days=2),
        how="Letter sent by post to the address they gave",
        by=by,
    )
    _start(request, by)


# (name, e-mail or None for the DPO's, channel, days ago received, verified, next steps,
# assignee). Those by post with no e-mail of their own are not acknowledged by e-mail: the
# team writes back and records it, so one shows an acknowledgement due and one overdue.
# fmt: off
DEMO_COMPLAINTS = [
    ("Ruth Hale", "ruth.hale@acme.example", Channel.EMAIL, 3, True, _start, "support"),
    ("Sam Webb", "sam.webb@public.example", Channel.WEB_FORM, 1, False, _leave, None),
    ("Ian Moss", "ian.moss@brightwater.example", Channel.EMAIL, 20, True, _answer, "dpo"),
    ("Dora Fisher", None, Channel.POST, 25, True, _leave, "support"),
    ("Len Hart", None, Channel.POST, 33, True, _leave, None),
    ("Vera Cole", None, Channel.POST, 10, True, _acknowledge_by_post, "dpo"),
]
# fmt: on


def complaints_demo_seed(*, dpo, support) -> None:
    """Complaints in each stage of their own clock: acknowledged on receipt, awaiting
    confirmation, answered, acknowledged by post, one to acknowledge soon and one overdue.
    Each is filed once, keyed by the complainant's name."""
    filed = set(
        RightsRequest.objects.filter(
            kind=RequestKind.COMPLAINT, requester_name__in=[row[0] for row in DEMO_COMPLAINTS]
        ).values_list("requester_name", flat=True)
    )
    staff = {"dpo": dpo, "support": support, None: None}
    now = timezone.now()
    for name, email, channel, days_ago, verified, then, assignee in DEMO_COMPLAINTS:
        if name in filed:
            continue
        request = rights_request_file(
            kind=RequestKind.COMPLAINT,
            requester_name=name,
            requester_email=email or settings.DPO_EMAIL,
            channel=channel,
            description="My employer's usage report named me, but I had left the company a "
            "month before. Why was my data still in it?",
            filed_by=dpo if channel in (Channel.EMAIL, Channel.PHONE, Channel.POST) else None,
            received_at=now - timedelta(days=days_ago),
            verified=verified,
        )
        if email:
            # Sent now rather than once the seed commits, so the answered one shows it too.
            complaint_acknowledgement_deliver(request_id=request.pk)
        then(request, dpo)
        if staff[assignee] is not None:
            rights_request_assign(request=request, assignee=staff[assignee], by=dpo)
