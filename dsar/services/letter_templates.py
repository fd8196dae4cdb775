"""The standard letters' wording, which the DPO edits."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

import audit
from common.roles import Role


def letter_template_update(*, template, title: str, body: str, by):
    """The DPO rewords a standard letter; the old wording stays in the audit trail."""
    if getattr(by, "role", None) != Role.DPO:
        raise PermissionDenied("Only the DPO edits the standard letters.")
    previous = {"title": template.title, "body": template.body}
    template.title, template.body = title.strip(), body.strip()
    template.full_clean()
    with transaction.atomic():
        template.save()
        audit.record(
            by, "letter.edit", target=template, details={"key": template.key, "before": previous}
        )
    return template
