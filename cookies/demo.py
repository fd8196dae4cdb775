"""Demo cookie decisions, so the consent figures show a trend; the published privacy notice."""

import random
from datetime import timedelta

from django.utils import timezone

from cookies.catalogue import catalogue_get
from cookies.consent import visitor_hash
from cookies.models import ConsentRecord, PolicyVersion
from cookies.notice.defaults import CHANGE_NOTE, INTRODUCTION, SECTIONS
from cookies.selectors import policy_current, policy_draft
from cookies.services import policy_draft_save, policy_publish

DEMO_VISITORS = 160
DEMO_WEEKS = 10


def consent_demo_seed() -> int:
    """About 16 decisions a week for ten weeks. Idempotent: a second run adds nothing."""
    if ConsentRecord.objects.filter(visitor_id=visitor_hash("demo-visitor-0")).exists():
        return 0
    catalogue = catalogue_get()
    optional = [g.varname for g in catalogue.optional]
    rng = random.Random(7)  # noqa: S311 (demo figures, not security)
    now = timezone.now()
    records = []
    for n in range(DEMO_VISITORS):
        accepted = {name for name in optional if rng.random() < 0.35 + 0.04 * (n % DEMO_WEEKS)}
        method = rng.choice(ConsentRecord.Method.values)
        # About one browser in ten sends Global Privacy Control: its banner offers only "OK"
        # (a refusal); an opt-in comes from the settings page.
        gpc = rng.random() < 0.1
        if gpc and method == ConsentRecord.Method.BANNER:
            accepted = set()
        records.append(
            ConsentRecord(
                visitor_id=visitor_hash(f"demo-visitor-{n}"),
                accepted=ConsentRecord.join(accepted),
                declined=ConsentRecord.join(set(optional) - accepted),
                policy_version=max(catalogue.policy_version, 1),
                method=method,
                gpc=gpc,
            )
        )
    created = ConsentRecord.objects.bulk_create(records)
    for n, record in enumerate(created):
        weeks_ago = DEMO_WEEKS - 1 - (n % DEMO_WEEKS)
        record.created_at = now - timedelta(weeks=weeks_ago, hours=rng.randint(0, 150))
    ConsentRecord.objects.bulk_update(created, ["created_at"])
    return len(created)


def privacy_notice_demo_publish(*, dpo) -> PolicyVersion | None:
    """Publish the privacy notice in the company's words (the draft cookies migration 0007
    seeds, or one written from the same defaults), so the demo shows the notice generated from
    the records. Idempotent: once a generated version is published, nothing more happens."""
    current = policy_current(PolicyVersion.Kind.PRIVACY)
    if current is not None and current.snapshot is not None:
        return None
    draft = policy_draft(PolicyVersion.Kind.PRIVACY)
    if draft is None or not draft.sections:
        draft = policy_draft_save(
            kind=PolicyVersion.Kind.PRIVACY,
            body=draft.body if draft else INTRODUCTION,
            sections=SECTIONS,
            change_note=CHANGE_NOTE,
            by=dpo,
        )
    return policy_publish(draft=draft, by=dpo)
