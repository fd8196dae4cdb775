"""Restriction and objection to legitimate interests: flags on the matched accounts that
usage reports and aggregates honour (``accounts.selectors.users_excluded_from_reports``).

The flags are set through the accounts services (running a step twice changes nothing
more); each step is recorded on the request's timeline too.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services.users import (
    users_lift_restriction,
    users_restrict_processing,
    users_uphold_objection,
)
from dsar.executors._common import step
from dsar.models import RightsRequest
from dsar.services.steps import rights_request_complete
from dsar.services.timeline import require_decider


def _matched(request: RightsRequest):
    users = User.objects.filter(pk__in=request.subjects.values("user_id"))
    if not users.exists():
        raise ValidationError("Match the request to an account first.")
    return users


def _restriction_step(request: RightsRequest, by, *, change, action: str, body: str) -> int:
    """Restrict or lift for the matched accounts, recorded on the request in one transaction."""
    require_decider(by)
    with transaction.atomic():
        users = _matched(request)
        ids = sorted(users.values_list("pk", flat=True))
        changed = change(users=users, by=by)
        step(request, by, action, body, visible=True, users=ids, changed=changed)
    return changed


def restriction_apply(*, request: RightsRequest, by) -> int:
    return _restriction_step(
        request,
        by,
        change=users_restrict_processing,
        action="restriction_apply",
        body="Processing restricted: usage reports and aggregates leave this person out.",
    )


def restriction_lift(*, request: RightsRequest, by) -> int:
    return _restriction_step(
        request,
        by,
        change=users_lift_restriction,
        action="restriction_lift",
        body="Restriction of processing lifted.",
    )


UPHELD = "upheld"
COMPELLING = "compelling"


def objection_decide(
    *, request: RightsRequest, outcome: str, reasons: str, restrict: bool, by
) -> RightsRequest:
    """Record the reassessment of an objection to processing on legitimate interests, and
    tell the requester the outcome by completing the request with it."""
    require_decider(by)
    reasons = reasons.strip()
    if outcome not in (UPHELD, COMPELLING):
        raise ValidationError({"outcome": "Choose upheld or compelling grounds."})
    if outcome == COMPELLING and not reasons:
        raise ValidationError({"reasons": "Give the compelling legitimate grounds."})
    with transaction.atomic():
        if outcome == UPHELD:
            users = _matched(request)
            ids = sorted(users.values_list("pk", flat=True))
            users_uphold_objection(users=users, by=by)
            step(request, by, "objection_upheld", "Objection upheld.", users=ids)
            if restrict:
                restriction_apply(request=request, by=by)
            answer = (
                "We have reassessed the processing you objected to and upheld your objection: "
                "we have stopped processing your data on the basis of our legitimate interests"
                + (", and restricted its processing." if restrict else ".")
                + (f"\n\n{reasons}" if reasons else "")
            )
        else:
            step(
                request,
                by,
                "objection_compelling_grounds",
                f"Compelling legitimate grounds recorded: {reasons}",
            )
            answer = (
                "We have reassessed the processing you objected to. We have compelling "
                "legitimate grounds for it which override your interests, rights and "
                f"freedoms, so it continues:\n\n{reasons}"
            )
        rights_request_complete(request=request, outcome=answer, by=by)
    return request
