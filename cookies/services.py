"""Writes: consent decisions, notice drafts and publication, analytics counts."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_record
from cookies.catalogue import catalogue_forget
from cookies.models import ConsentRecord, PageVisitCount, PolicyVersion
from cookies.notice.compare import material_changes, notice_text, text_diff
from cookies.notice.content import SECTION_KEYS
from cookies.notice.generate import notice_snapshot
from cookies.tasks import send_notice_change


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


def policy_draft_save(
    *, kind: str, body: str, change_note: str, by, sections: dict | None = None
) -> PolicyVersion:
    """Create or update the one draft of a notice (the privacy notice's prose by section)."""
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
        if kind == PolicyVersion.Kind.PRIVACY and sections is not None:
            draft.sections = {key: sections.get(key, "") for key in SECTION_KEYS}
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
    """Publish the draft as the next version. A new cookie policy asks every visitor again.

    The version keeps its text, the lines that changed from the previous version, and for
    the privacy notice the generated tables as they stand (the snapshot). When purposes,
    recipients or retention changed, active users are e-mailed after commit.
    """
    with transaction.atomic():
        draft = PolicyVersion.objects.select_for_update().get(pk=draft.pk)
        if draft.is_published:
            raise ValidationError("This version is already published.")
        if not draft.body.strip():
            raise ValidationError("An empty notice cannot be published.")
        previous = (
            PolicyVersion.objects.filter(kind=draft.kind, number__isnull=False)
            .order_by("-number")
            .first()
        )
        draft.number = (previous.number if previous else 0) + 1
        draft.published_at = timezone.now()
        if draft.kind == PolicyVersion.Kind.PRIVACY:
            draft.snapshot = notice_snapshot()
            draft.text = notice_text(
                body=draft.body, sections=draft.sections, snapshot=draft.snapshot
            )
            # The first version has no one to tell of a change.
            draft.material_changes = (
                material_changes(previous.snapshot, draft.snapshot) if previous else []
            )
        else:
            draft.text = draft.body.strip() + "\n"
        draft.diff = text_diff(previous.reader_text, draft.text) if previous else []
        draft.full_clean()
        try:
            draft.save()
        except IntegrityError as error:  # two publishers at once: the unique number holds
            raise ValidationError("Another version was published at the same time.") from error
        audit_record(
            actor=by,
            action="cookies.policy_published",
            target=draft,
            details={
                "kind": draft.kind,
                "number": draft.number,
                "lines_changed": sum(line["op"] in ("added", "removed") for line in draft.diff),
                "changed": draft.material_changes,
            },
        )
        # Now for this process, and again after commit: another process could re-cache the
        # old version between the two.
        catalogue_forget()
        transaction.on_commit(catalogue_forget)
        if draft.material_changes:
            send_notice_change.delay_on_commit(draft.pk)
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
