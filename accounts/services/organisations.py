"""Organisation settings a client admin changes."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

import audit
from accounts.models import Organisation
from accounts.selectors import user_administers


def organisation_set_mfa_required(*, organisation: Organisation, mfa_required: bool, by):
    if not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not change this organisation's settings.")
    if organisation.mfa_required == mfa_required:
        return organisation
    with transaction.atomic():
        organisation.mfa_required = mfa_required
        organisation.save(update_fields=["mfa_required", "updated_at"])
        audit.record(
            by,
            "organisation.mfa_required",
            target=organisation,
            details={"mfa_required": mfa_required},
        )
    return organisation
