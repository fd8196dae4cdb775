"""Writes to the breach register. The DPO keeps it; every step leaves an audit entry.

The one exception: an investigation escalated to a breach (by the DPO or support) opens a
breach record at once, because the 72 hours run from that moment of awareness.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import audit
from accounts.models import User
from breaches.models import Breach, BreachEvent, DataCategory, PeopleCategory
from common.roles import Role

# Fields the DPO edits on the record; the decisions, the ICO report and the status have
# their own services.
EDITABLE_FIELDS = (
    "title",
    "aware_at",
    "occurred_at",
    "description",
    "discovered_how",
    "data_categories",
    "people_categories",
    "people_approx",
    "records_approx",
    "likely_consequences",
    "measures_taken",
    "measures_proposed",
    "dpo_contact_name",
    "dpo_contact_email",
    "dpo_contact_phone",
)

DECISIONS = {
    BreachEvent.Kind.REPORT_ICO: ("ico_decision", Breach.IcoDecision.REPORT),
    BreachEvent.Kind.NOT_REPORT_ICO: ("ico_decision", Breach.IcoDecision.NOT_REPORT),
    BreachEvent.Kind.TELL_PEOPLE: ("people_decision", Breach.PeopleDecision.TELL),
    BreachEvent.Kind.NOT_TELL_PEOPLE: ("people_decision", Breach.PeopleDecision.NOT_TELL),
    BreachEvent.Kind.DELAY: (None, None),
}


def _require_dpo(by) -> None:
    if not (isinstance(by, User) and by.is_active and by.role == Role.DPO):
        raise PermissionDenied("Only the DPO keeps the breach register.")


def _require_open(breach: Breach) -> None:
    if breach.status != Breach.Status.OPEN:
        raise ValidationError("This breach is closed.")


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


def _clean_categories(values, choices) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [value for value in values if value not in choices.values]
    if unknown:
        raise ValidationError(f"Unknown categories: {', '.join(map(str, unknown))}.")
    return values


def _check_times(breach: Breach) -> None:
    now = timezone.now()
    errors = {}
    if breach.aware_at and breach.aware_at > now:
        errors["aware_at"] = "The time of awareness cannot be in the future."
    if breach.occurred_at and breach.occurred_at > now:
        errors["occurred_at"] = "The breach cannot have happened in the future."
    if breach.occurred_at and breach.aware_at and breach.occurred_at > breach.aware_at:
        errors["occurred_at"] = "It cannot have happened after the company became aware of it."
    if errors:
        raise ValidationError(errors)


def _event(breach: Breach, kind: str, by, reason: str = "", **fields) -> BreachEvent:
    event = BreachEvent(breach=breach, kind=kind, reason=reason, by=by, **fields)
    event.full_clean()
    event.save()
    return event


def breach_open(
    *,
    by: User,
    title: str,
    aware_at: datetime,
    description: str,
    investigation=None,
    **fields,
) -> Breach:
    """Record a new breach; its 72-hour clock starts at ``aware_at``."""
    _require_dpo(by)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    fields.setdefault("dpo_contact_name", by.full_name)
    fields.setdefault("dpo_contact_email", settings.DPO_EMAIL)
    breach = Breach(
        title=(title or "").strip(),
        aware_at=aware_at,
        description=(description or "").strip(),
        investigation=investigation,
        opened_by=by,
        **fields,
    )
    return _create(breach, by=by, source="register")


def _create(breach: Breach, *, by, source: str) -> Breach:
    breach.data_categories = _clean_categories(breach.data_categories, DataCategory)
    breach.people_categories = _clean_categories(breach.people_categories, PeopleCategory)
    breach.full_clean()
    _check_times(breach)
    with transaction.atomic():
        breach.save()
        _event(breach, BreachEvent.Kind.OPENED, by)
        audit.record(
            by,
            "breach.open",
            target=breach,
            details={"source": source, "investigation": breach.investigation_id},
        )
    return breach


def breach_open_from_investigation(*, investigation, by: User, reason: str) -> Breach:
    """An investigation escalated to a breach: link its breach, or open one now.

    Called by ``security.services.investigations.investigation_record_outcome`` inside its
    transaction, with a ``security.Investigation``: security calls this service, breaches never
    imports security back. The DPO is e-mailed at once: the 72 hours already run.
    """
    existing = (
        Breach.objects.filter(investigation=investigation, status=Breach.Status.OPEN)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        audit.record(
            by, "breach.link", target=existing, details={"investigation": investigation.pk}
        )
        return existing
    summary = f"INV-{investigation.pk}: {investigation.summary}"
    breach = Breach(
        title=f"Escalated from {summary}"[:200],
        aware_at=timezone.now(),
        description=f"Escalated from investigation {summary}\n\nReason given: {reason}",
        investigation=investigation,
        opened_by=by,
        dpo_contact_email=settings.DPO_EMAIL,
    )
    breach = _create(breach, by=by, source="escalation")
    transaction.on_commit(lambda: _mail_dpo_opened(breach.pk))
    return breach


def breach_url(breach: Breach) -> str:
    return settings.SITE_URL + reverse("breaches:detail", args=[breach.pk])


def _mail_dpo_opened(breach_id: int) -> None:
    breach = Breach.objects.filter(pk=breach_id).first()
    if breach is None:
        return
    deadline = timezone.localtime(breach.deadline)
    send_mail(
        f"[PrivacyDesk] Breach {breach.reference} opened from an investigation",
        "An investigation was escalated to a personal data breach.\n\n"
        f"{breach}\nICO deadline: {deadline:%-d %b %Y, %H:%M %Z}\n\n"
        f"Complete the record and decide whether to report it: {breach_url(breach)}\n",
        settings.DEFAULT_FROM_EMAIL,
        [settings.DPO_EMAIL],
    )


def breach_update(*, breach: Breach, by: User, **fields) -> Breach:
    """Edit the record. The audit entry names the fields changed, not their contents."""
    _require_dpo(by)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    if "data_categories" in fields:
        fields["data_categories"] = _clean_categories(fields["data_categories"], DataCategory)
    if "people_categories" in fields:
        fields["people_categories"] = _clean_categories(fields["people_categories"], PeopleCategory)
    changed = sorted(name for name, value in fields.items() if getattr(breach, name) != value)
    if not changed:
        return breach
    for name in changed:
        setattr(breach, name, fields[name])
    breach.full_clean()
    _check_times(breach)
    with transaction.atomic():
        breach.save(update_fields=changed)
        audit.record(by, "breach.update", target=breach, details={"fields": changed})
    return breach


def breach_decide(*, breach: Breach, kind: str, reason: str, by: User) -> BreachEvent:
    """Record a decision with its reason: report to the ICO or not, tell people or not,
    or a reason for delay. A later decision supersedes an earlier one; both stay."""
    _require_dpo(by)
    _require_open(breach)
    if kind not in DECISIONS:
        raise ValidationError({"kind": "Choose a decision."})
    reason = _reason(reason, "Give the reason for this decision.")
    field, value = DECISIONS[kind]
    if field == "ico_decision" and breach.ico_reported_at is not None:
        raise ValidationError("The breach has been reported to the ICO already.")
    with transaction.atomic():
        event = _event(breach, kind, by, reason)
        if field is not None:
            setattr(breach, field, value)
            breach.save(update_fields=[field])
        audit.record(
            by, "breach.decision", target=breach, details={"kind": kind, "event": event.pk}
        )
    return event


def breach_record_ico_report(
    *, breach: Breach, reference: str, reported_at: datetime, by: User, delay_reason: str = ""
) -> Breach:
    """Keep the ICO's reference and when the report was made; the clock stops there.

    A report after the 72 hours must give reasons for the delay (Article 33(1)), unless a
    reason for delay is on the timeline already.
    """
    _require_dpo(by)
    _require_open(breach)
    reference = (reference or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = "Enter the reference the ICO gave the report."
    if reported_at is None:
        errors["reported_at"] = "Enter when the report was made."
    elif reported_at > timezone.now():
        errors["reported_at"] = "The report cannot have been made in the future."
    elif reported_at < breach.aware_at:
        errors["reported_at"] = "The report cannot predate the awareness of the breach."
    delay_reason = (delay_reason or "").strip()
    late = reported_at is not None and reported_at > breach.deadline
    has_delay = breach.events.filter(kind=BreachEvent.Kind.DELAY).exists()
    if not errors and late and not delay_reason and not has_delay:
        errors["delay_reason"] = "The report came after 72 hours: give the reasons for the delay."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if delay_reason:
            _event(breach, BreachEvent.Kind.DELAY, by, delay_reason)
        breach.ico_reference = reference
        breach.ico_reported_at = reported_at
        breach.ico_decision = Breach.IcoDecision.REPORT
        breach.full_clean()
        breach.save(update_fields=["ico_reference", "ico_reported_at", "ico_decision"])
        event = _event(
            breach,
            BreachEvent.Kind.ICO_REPORTED,
            by,
            f"Reference {reference}",
            recipient=BreachEvent.Recipient.ICO,
            at=reported_at,
        )
        audit.record(
            by,
            "breach.ico_reported",
            target=breach,
            details={
                "reference": reference,
                "reported_at": reported_at,
                "late": late,
                "event": event.pk,
            },
        )
    return breach


def breach_send_update(*, breach: Breach, recipient: str, summary: str, by: User) -> BreachEvent:
    """Record an update sent in phases (Article 33(4)): to the ICO, or to the people."""
    _require_dpo(by)
    _require_open(breach)
    if recipient not in (BreachEvent.Recipient.ICO, BreachEvent.Recipient.PEOPLE):
        raise ValidationError({"recipient": "Choose who the update went to."})
    summary = _reason(summary, "Say what the update told them.")
    if recipient == BreachEvent.Recipient.ICO and breach.ico_reported_at is None:
        raise ValidationError(
            {"recipient": "Record the first report to the ICO before its updates."}
        )
    phase = breach.events.filter(kind=BreachEvent.Kind.UPDATE_SENT, recipient=recipient).count() + 1
    with transaction.atomic():
        event = _event(
            breach, BreachEvent.Kind.UPDATE_SENT, by, summary, recipient=recipient, phase=phase
        )
        audit.record(
            by,
            "breach.update_sent",
            target=breach,
            details={"recipient": recipient, "phase": phase, "event": event.pk},
        )
    return event


def breach_close(*, breach: Breach, reason: str, by: User) -> Breach:
    """Close the breach once both decisions are made (and a report made, if decided)."""
    _require_dpo(by)
    _require_open(breach)
    reason = _reason(reason, "Say why the breach can be closed.")
    missing = []
    if not breach.ico_decision:
        missing.append("whether to report it to the ICO")
    elif breach.ico_decision == Breach.IcoDecision.REPORT and breach.ico_reported_at is None:
        missing.append("the ICO report's reference and time")
    if not breach.people_decision:
        missing.append("whether to tell the people affected")
    if missing:
        raise ValidationError(f"Before closing, record {' and '.join(missing)}.")
    with transaction.atomic():
        breach.status = Breach.Status.CLOSED
        breach.closed_at = timezone.now()
        breach.closed_by = by
        breach.save(update_fields=["status", "closed_at", "closed_by"])
        event = _event(breach, BreachEvent.Kind.CLOSED, by, reason)
        audit.record(by, "breach.close", target=breach, details={"event": event.pk})
    return breach


def breach_view_record(*, breach: Breach, by: User, printable: bool = False) -> None:
    """Looking at a breach record is looking at people's data: it goes on the record."""
    audit.record(by, "breach.print" if printable else "breach.view", target=breach)
