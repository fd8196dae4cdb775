"""Restriction and objection to legitimate interests, set on the matched accounts through the
accounts services; every point of processing asks ``accounts.selectors.may_process`` (or its
queryset form) and honours them.

Running a step twice changes nothing more; each step is on the request's timeline too.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services.users import (
    users_lift_restriction,
    users_notify_restriction_lift,
    users_restrict_processing,
    users_uphold_objection,
)
from datamap.entries import LegalBasis
from datamap.purposes import (
    CONTINUES_AFTER_OBJECTION,
    RESTRICTED_PURPOSES,
    STOPPABLE_ON_OBJECTION,
    Purpose,
    legitimate_interest_purposes,
    purpose_legal_bases,
)
from dsar.executors._common import step
from dsar.models import RightsRequest
from dsar.services.outgoing import letter_send
from dsar.services.steps import rights_request_complete
from dsar.services.timeline import Kind, event_add, require_decider
from recipients.models import Event
from recipients.notify import recipients_tell
from recipients.selectors import notices_awaiting


def _matched(request: RightsRequest):
    users = User.objects.filter(pk__in=request.subjects.values("user_id"))
    if not users.exists():
        raise ValidationError("Match the request to an account first.")
    return users


def _restriction_step(
    request: RightsRequest, by, *, change, action: str, body: str, event: str
) -> int:
    """Restrict or lift for the matched accounts, recorded on the request in one transaction."""
    require_decider(by)
    with transaction.atomic():
        users = _matched(request)
        ids = sorted(users.values_list("pk", flat=True))
        changed = change(users=users, by=by)
        recipients_tell(event=event, users=list(users), reference=request.reference)
        step(request, by, action, body, visible=True, users=ids, changed=changed)
    return changed


def _stopped_in_words(purposes) -> str:
    return ", ".join(Purpose(purpose).label.lower() for purpose in purposes)


def restriction_apply(*, request: RightsRequest, by) -> int:
    return _restriction_step(
        request,
        by,
        change=users_restrict_processing,
        action="restriction_apply",
        event=Event.RESTRICTED,
        body="Processing restricted: your data is only stored. Stopped: "
        f"{_stopped_in_words(sorted(RESTRICTED_PURPOSES))}.",
    )


def restriction_lift_notify(*, request: RightsRequest, reason: str, by) -> int:
    """Tell the person the restriction is about to be lifted, and why (Article 18(3)): an
    e-mail and a step on the timeline they see. Lifting is refused until this is done."""
    require_decider(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the restriction will be lifted."})
    with transaction.atomic():
        users = _matched(request).filter(processing_restricted_at__isnull=False)
        if not users.exists():
            raise ValidationError("No matched account is restricted.")
        ids = sorted(users.values_list("pk", flat=True))
        told = users_notify_restriction_lift(users=users, by=by)
        step(
            request,
            by,
            "restriction_lift_notice",
            f"We told you that we will lift the restriction of processing. The reason: {reason}",
            visible=True,
            users=ids,
        )
        letter_send("restriction_lift_notice", request, reason=reason)
    return told


def restriction_lift(*, request: RightsRequest, by) -> int:
    return _restriction_step(
        request,
        by,
        change=users_lift_restriction,
        action="restriction_lift",
        event=Event.RESTRICTION_LIFTED,
        body="Restriction of processing lifted.",
    )


# --- Objection to legitimate interests --------------------------------------------------------

STOPPED_MEANS = {
    Purpose.USAGE: "the usage reports we give your employer leave you out",
    Purpose.ANALYTICS: "our aggregated figures, product analytics and test data leave you out",
    Purpose.MARKETING: "we send you no marketing e-mail",
}


def objected_purposes(request: RightsRequest) -> list[Purpose]:
    """What the request objects to: the purposes it names, or (a request logged without them)
    every purpose on legitimate interests."""
    offered = legitimate_interest_purposes()
    named = set(request.objection_purposes or [])
    return [purpose for purpose in offered if purpose in named] if named else offered


def stoppable(purposes) -> list[Purpose]:
    return [purpose for purpose in purposes if purpose in STOPPABLE_ON_OBJECTION]


def _objection_answer(objected, stopped, reasons: str, restricted: bool) -> str:
    lines = ["We have reassessed the uses of your data you objected to."]
    if stopped:
        lines.append(
            "We have upheld your objection and stopped:\n"
            + "\n".join(f"- {p.label}: {STOPPED_MEANS[p]}." for p in stopped)
        )
    continuing = [purpose for purpose in objected if purpose not in stopped]
    if continuing:
        explained = []
        for purpose in continuing:
            why = CONTINUES_AFTER_OBJECTION.get(purpose) or (
                "We have compelling legitimate grounds for it which override your interests, "
                f"rights and freedoms: {reasons}"
            )
            explained.append(f"- {purpose.label}: {why}")
        lines.append("These uses you objected to continue:\n" + "\n".join(explained))
        if reasons and all(p in CONTINUES_AFTER_OBJECTION for p in continuing):
            lines.append(reasons)
    if restricted:
        lines.append("We have also restricted the processing of your data: it is only stored.")
    bases = purpose_legal_bases()
    others = [
        f"- {purpose.label} ({LegalBasis(bases[purpose]).label.lower()})"
        for purpose in Purpose
        if bases.get(purpose) not in (None, LegalBasis.LEGITIMATE_INTERESTS)
    ]
    if others:
        lines.append(
            "An objection concerns only uses that rely on our legitimate interests. These rely "
            "on another legal basis and continue:\n" + "\n".join(others)
        )
    return "\n\n".join(lines)


def objection_decide(
    *, request: RightsRequest, stop, reasons: str, restrict: bool, by
) -> RightsRequest:
    """Record the reassessment of an objection to processing on legitimate interests: the
    purposes it stops (some or all of those objected to that can be stopped), the grounds for
    any that continue, and a restriction if asked; and tell the requester by completing the
    request with the answer. When the restriction told recipients, who must confirm first, the
    answer waits on the request for the complete step."""
    require_decider(by)
    reasons = reasons.strip()
    objected = objected_purposes(request)
    stop = {Purpose(purpose) for purpose in stop}
    if stop - set(stoppable(objected)):
        raise ValidationError({"stop": "Stop only uses the person objected to."})
    kept = [p for p in stoppable(objected) if p not in stop]
    if kept and not reasons:
        raise ValidationError(
            {"reasons": "Give the compelling legitimate grounds for the uses that continue."}
        )
    stopped = [purpose for purpose in objected if purpose in stop]
    with transaction.atomic():
        # Nothing to set on an account when everything objected to continues.
        users = _matched(request) if stopped or restrict else User.objects.none()
        ids = sorted(users.values_list("pk", flat=True))
        if stopped:
            users_uphold_objection(
                users=users, purposes=stopped, by=by, reference=request.reference
            )
            step(
                request,
                by,
                "objection_upheld",
                f"Objection upheld; stopped: {_stopped_in_words(stopped)}.",
                users=ids,
                purposes=[purpose.value for purpose in stopped],
            )
        if kept:
            step(
                request,
                by,
                "objection_compelling_grounds",
                f"Compelling legitimate grounds recorded for {_stopped_in_words(kept)}: {reasons}",
            )
        if restrict:
            # The one restriction service: the accounts, the step on the timeline, and every
            # recipient of the data told (Article 19).
            restriction_apply(request=request, by=by)
        answer = _objection_answer(objected, stopped, reasons, restrict)
        if notices_awaiting(request.reference).exists():
            # The recipients told of the restriction confirm before the request completes
            # (rights_request_complete refuses until then). The answer waits as the request's
            # outcome, which the complete step offers once they have.
            request.outcome = answer
            request.save(update_fields=["outcome"])
            event_add(request, Kind.NOTE, by=by, body=ANSWER_WAITS)
        else:
            rights_request_complete(request=request, outcome=answer, by=by)
    return request


ANSWER_WAITS = (
    "The answer is ready. It is sent when the request is completed, once every recipient told "
    "of the restriction has confirmed (or the reason it cannot be obtained is recorded)."
)
