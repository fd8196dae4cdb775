"""Working an investigation in the back office: notes, assignee, review, outcome.

Only DPO and support staff act here, and every step leaves an audit entry. An outcome that
changes the account goes through the life-cycle services (reactivate, terminate), so the
person is told and the trail reads the same as any other suspension or termination.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from accounts.selectors import actor_decides
from accounts.services.users import user_reactivate, user_terminate

# Escalation calls the breach register's service; breaches never imports security (it reads
# the investigation through its own foreign key), so the dependency runs one way.
from breaches.services.register import breach_open_from_investigation
from security.models import Investigation, InvestigationNote
from security.selectors import is_investigator, outcomes_available
from security.services.login_throttle import login_throttle_lift

Outcome = Investigation.Outcome
# The rule that refuses an IP's logins (rules.rule_password_spraying); clearing its
# investigation lets the IP log in again.
THROTTLING_RULE = "password_spraying"


def _require_investigator(actor) -> None:
    if not is_investigator(actor):
        raise PermissionDenied("Only the privacy and support team work investigations.")


def _require_open(investigation: Investigation) -> None:
    if investigation.status != Investigation.Status.OPEN:
        raise ValidationError("This investigation is closed.")


def _require_not_own(investigation: Investigation, actor: User) -> None:
    if investigation.user_id is not None and investigation.user_id == actor.pk:
        raise PermissionDenied("You cannot decide an investigation of your own account.")


# --- Writes -------------------------------------------------------------------------------


def investigation_view_record(*, investigation: Investigation, by: User) -> None:
    """Opening an investigation shows a person's data: that is itself on the record."""
    audit.record(by, "investigation.view", target=investigation)


def investigation_note_add(
    *, investigation: Investigation, author: User, text: str
) -> InvestigationNote:
    """Add a note. The audit entry says a note was written, not what it says."""
    _require_investigator(author)
    note = InvestigationNote(investigation=investigation, author=author, text=(text or "").strip())
    note.full_clean()
    with transaction.atomic():
        note.save()
        audit.record(
            author, "investigation.note", target=investigation, details={"note_id": note.pk}
        )
    return note


def investigation_assign(
    *, investigation: Investigation, assignee: User | None, by: User
) -> Investigation:
    """Give the investigation to a DPO or support colleague (or to nobody)."""
    _require_investigator(by)
    _require_open(investigation)
    if assignee is not None:
        if not is_investigator(assignee):
            raise ValidationError({"assignee": "Assign to a DPO or support colleague."})
        if assignee.pk == investigation.user_id:
            raise ValidationError(
                {"assignee": "Nobody may work an investigation of their own account."}
            )
    if investigation.assignee_id == getattr(assignee, "pk", None):
        return investigation
    with transaction.atomic():
        previous = investigation.assignee_id
        investigation.assignee = assignee
        investigation.save(update_fields=["assignee"])
        audit.record(
            by,
            "investigation.assign",
            target=investigation,
            details={"from": previous, "to": getattr(assignee, "pk", None)},
        )
    return investigation


def investigations_return_to_queue(*, assignee: User, by: User) -> int:
    """Unassign every open investigation of ``assignee`` (a colleague who left the team), each
    with an audit entry. Returns how many went back to the queue."""
    _require_investigator(by)
    with transaction.atomic():
        returned = list(
            Investigation.objects.select_for_update()
            .filter(assignee=assignee, status=Investigation.Status.OPEN)
            .order_by("pk")
        )
        for investigation in returned:
            investigation.assignee = None
            investigation.save(update_fields=["assignee"])
            audit.record(
                by,
                "investigation.return_to_queue",
                target=investigation,
                details={"from": assignee.pk, "to": None},
            )
    return len(returned)


def investigation_confirm_suspension(
    *, investigation: Investigation, by: User, reason: str
) -> Investigation:
    """A person confirms the provisional suspension while the investigation goes on.

    This is the review the held-for-review notice promises; the investigation stays open.
    """
    _require_investigator(by)
    _require_open(investigation)
    _require_not_own(investigation, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for keeping the account suspended."})
    if not investigation.account_suspended or investigation.reviewed_at is not None:
        raise ValidationError("There is no provisional suspension waiting for review.")
    if investigation.user is None or investigation.user.status != User.Status.SUSPENDED:
        raise ValidationError("The account is no longer suspended.")
    with transaction.atomic():
        investigation.reviewed_at = timezone.now()
        investigation.save(update_fields=["reviewed_at"])
        audit.record(
            by,
            "investigation.suspension_confirmed",
            target=investigation,
            details={"reason": reason},
        )
    return investigation


ESCALATION_DECIDED_BY_DPO = (
    "Only the data protection officer escalates an investigation to a breach: tell them, and "
    "they open it in the breach register."
)


def investigation_record_outcome(
    *, investigation: Investigation, outcome: str, reason: str, by: User
) -> Investigation:
    """Close the investigation with a person's decision, and apply it to the account.

    cleared: a suspended account is reactivated (and an IP throttled for password spraying may
    log in again); confirmed_suspended: it stays suspended; confirmed_terminated: the account
    is terminated; escalated_breach: the escalation and its reason are recorded and the account
    is left as it is.
    """
    _require_investigator(by)
    _require_open(investigation)
    _require_not_own(investigation, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for this outcome."})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome."})
    if outcome == Outcome.ESCALATED_BREACH and not actor_decides(by):
        raise PermissionDenied(ESCALATION_DECIDED_BY_DPO)
    user = investigation.user
    if outcome not in outcomes_available(investigation):
        raise ValidationError(
            {"outcome": f"“{Outcome(outcome).label}” does not apply to this investigation."}
        )
    with transaction.atomic():
        if user is not None:
            if outcome == Outcome.CLEARED and user.status == User.Status.SUSPENDED:
                user_reactivate(user=user, by=by, investigation=investigation)
            elif outcome == Outcome.CONFIRMED_TERMINATED:
                user_terminate(user=user, by=by, investigation=investigation)
        now = timezone.now()
        investigation.status = Investigation.Status.CLOSED
        investigation.outcome = outcome
        investigation.outcome_reason = reason
        investigation.closed_at = now
        investigation.closed_by = by
        if investigation.reviewed_at is None:
            investigation.reviewed_at = now
        investigation.full_clean()
        investigation.save(
            update_fields=[
                "status",
                "outcome",
                "outcome_reason",
                "closed_at",
                "closed_by",
                "reviewed_at",
            ]
        )
        details = {"outcome": outcome, "reason": reason}
        if (
            outcome == Outcome.CLEARED
            and investigation.rule == THROTTLING_RULE
            and investigation.ip_address
        ):
            details["login_throttle_lifted"] = login_throttle_lift(
                ip_address=investigation.ip_address
            )
        audit.record(by, "investigation.outcome", target=investigation, details=details)
        if outcome == Outcome.ESCALATED_BREACH:
            # The breach register links the investigation (or opens a breach now: the ICO's
            # 72 hours run from this awareness).
            breach_open_from_investigation(investigation=investigation, by=by, reason=reason)
    return investigation
