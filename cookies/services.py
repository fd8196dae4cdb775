"""Writes: consent decisions, notice drafts and publication, analytics counts."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from audit.services import audit_record
from cookies.catalogue import catalogue_forget
from cookies.models import ConsentRecord, PageVisitCount, PolicyVersion


def consent_record_create(
    *,
    visitor_id: str,
    user,
    accepted: set[str],
    declined: set[str],
    policy_version: int,
    method: str,
    gpc: bool = False,
) -> ConsentRecord:
    """Store the proof of one decision, and whether the browser sent a Global Privacy Control
    signal with it. Visitors decide for themselves: no audit entry."""
    if accepted & declined:
        raise ValidationError("A category cannot be both accepted and declined.")
    record = ConsentRecord(
        visitor_id=visitor_id,
        user=user if user is not None and user.is_authenticated else None,
        accepted=ConsentRecord.join(accepted),
        declined=ConsentRecord.join(declined),
        policy_version=policy_version,
        method=method,
        gpc=gpc,
    )
    record.full_clean()
    record.save()
    return record


def policy_draft_save(*, kind: str, body: str, change_note: str, by) -> PolicyVersion:
    """Create or update the one draft of a notice."""
    with transaction.atomic():
        draft = (
            PolicyVersion.objects.select_for_update()
            .filter(kind=kind, published_at__isnull=True)
            .first()
        )
        created = draft is None
        draft = draft or PolicyVersion(kind=kind)
        draft.body = body
        draft.change_note = change_note
        draft.full_clean()
        draft.save()
        audit_record(
            actor=by,
            action="cookies.policy_draft_saved",
            target=draft,
            details={"kind": kind, "created": created, "change_note": change_note},
        )
    return draft


def policy_draft_discard(*, draft: PolicyVersion, by) -> None:
    if draft.is_published:
        raise ValidationError("A published version is never deleted.")
    with transaction.atomic():
        audit_record(
            actor=by,
            action="cookies.policy_draft_discarded",
            target=draft,
            details={"kind": draft.kind},
        )
        draft.delete()


def policy_publish(*, draft: PolicyVersion, by) -> PolicyVersion:
    """Publish the draft as the next version. A new cookie policy asks every visitor again."""
    with transaction.atomic():
        draft = PolicyVersion.objects.select_for_update().get(pk=draft.pk)
        if draft.is_published:
            raise ValidationError("This version is already published.")
        if not draft.body.strip():
            raise ValidationError("An empty notice cannot be published.")
        latest = PolicyVersion.objects.filter(kind=draft.kind).aggregate(n=Max("number"))["n"]
        draft.number = (latest or 0) + 1
        draft.published_at = timezone.now()
        draft.full_clean()
        try:
            draft.save()
        except IntegrityError as error:  # two publishers at once: the unique number holds
            raise ValidationError("Another version was published at the same time.") from error
        audit_record(
            actor=by,
            action="cookies.policy_published",
            target=draft,
            details={"kind": draft.kind, "number": draft.number},
        )
        # Now for this process, and again after commit: another process could re-cache the
        # old version between the two.
        catalogue_forget()
        transaction.on_commit(catalogue_forget)
    return draft


def page_visit_record(*, route: str, new_visitor: bool) -> None:
    """Count one page visit (consent already checked by the caller)."""
    day = timezone.localdate()
    updated = PageVisitCount.objects.filter(day=day, route=route).update(
        visits=F("visits") + 1, new_visitors=F("new_visitors") + int(new_visitor)
    )
    if updated:
        return
    try:
        with transaction.atomic():
            PageVisitCount.objects.create(
                day=day, route=route, visits=1, new_visitors=int(new_visitor)
            )
    except IntegrityError:  # another request created the row first
        PageVisitCount.objects.filter(day=day, route=route).update(
            visits=F("visits") + 1, new_visitors=F("new_visitors") + int(new_visitor)
        )
