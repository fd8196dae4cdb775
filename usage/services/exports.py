"""Usage reports as CSV files, built by a worker instead of inside a request (a year by user
is a long file). Here the request; the file's life is in ``export_files``, which the tasks call.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

import audit
from accounts.models import Organisation
from accounts.selectors import report_entitlement
from usage.models import UsageExport
from usage.tasks import build_usage_export

MAX_DAYS = 366  # a year by user, leap years included


def usage_export_request(
    *, organisation: Organisation, start: datetime.date, end: datetime.date, grouping: str, by
) -> UsageExport:
    """Queue the build of one CSV export; the worker starts after the commit. A client admin
    exports their own organisation's report, or that of an organisation which names theirs as
    its group company, affiliate or partner."""
    if not (
        by.is_active
        and by.is_client_admin
        and (
            by.organisation_id == organisation.pk
            or report_entitlement(member_id=by.organisation_id, organisation_id=organisation.pk)
        )
    ):
        raise PermissionDenied("Only a client admin of the organisation exports its usage.")
    export = UsageExport(
        organisation=organisation, requested_by=by, start=start, end=end, grouping=grouping
    )
    if end < start:
        raise ValidationError({"end": "The end date must not be before the start date."})
    if (end - start).days >= MAX_DAYS:
        raise ValidationError({"end": f"A period covers at most {MAX_DAYS} days."})
    export.full_clean(exclude=["organisation", "requested_by"])
    with transaction.atomic():
        export.save()
        audit.record(
            by,
            "usage_export.requested",
            target=export,
            details={"start": start.isoformat(), "end": end.isoformat(), "grouping": grouping},
        )
        build_usage_export.delay_on_commit(export.pk)
    return export
