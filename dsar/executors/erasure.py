"""Erasure: a preview of what goes and what stays (and why), then the run, idempotent."""

from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from accounts.services.users import user_terminate
from datamap import registry
from datamap.engines import ErasureOutcome, erase_subject
from dsar.executors.access import request_subject
from dsar.executors.package_files import package_file_delete
from dsar.models import AccessPackage, RequestEvent, RightsRequest
from dsar.services.timeline import require_decider
from recipients.models import Event
from recipients.notify import recipients_tell
from retention.selectors import erasure_exception_for
from retention.services.ledger import erasure_ledger_record


def erasure_preview(*, request: RightsRequest, terminate_account: bool) -> list[ErasureOutcome]:
    """Per entry: what would be deleted or anonymised, what kept and why, with row counts."""
    subject = request_subject(request)
    return erase_subject(
        subject,
        exception_for=erasure_exception_for(subject, terminate_account=terminate_account),
        dry_run=True,
    )


def _report(outcomes: list[ErasureOutcome]) -> str:
    lines = ["Data-map entry | Action | Rows | Reason kept", "--- | --- | --- | ---"]
    for outcome in outcomes:
        lines.append(
            f"{outcome.entry.name} | {outcome.action} | {outcome.rows} | {outcome.reason or ''}"
        )
    return "\n".join(lines)


def erasure_run(*, request: RightsRequest, terminate_account: bool, by) -> list[ErasureOutcome]:
    """Terminate the account(s) if asked, then erase entry by entry. Running it again finds
    nothing more to erase: deleted rows are gone and anonymised rows stay anonymous."""
    require_decider(by)
    subject = request_subject(request)
    with transaction.atomic():
        # First, while the disclosure log and the data still say who received what.
        recipients_tell(
            event=Event.ERASED,
            users=list(User.objects.filter(pk__in=subject.user_ids)),
            reference=request.reference,
        )
        terminated = []
        if terminate_account:
            for user in User.objects.filter(pk__in=subject.user_ids).exclude(
                status=User.Status.TERMINATED
            ):
                user_terminate(user=user, by=by)
                terminated.append(user.pk)
        # Package files hold a copy of the data: they go once the erasure commits; the record
        # that a copy was prepared (and downloaded) stays with the request.
        packages = AccessPackage.objects.filter(
            pk__in=registry.entry("dsar.packages").rows_of(subject).values("pk"),
            deleted_at__isnull=True,
        )
        erased = list(packages)
        packages.update(deleted_at=timezone.now())
        transaction.on_commit(lambda: [package_file_delete(package) for package in erased])
        outcomes = erase_subject(
            subject,
            exception_for=erasure_exception_for(subject, terminate_account=terminate_account),
            because={"rights_request": request.reference},
        )
        # The ledger is another database: it learns of the erasure only once this one commits,
        # so a rolled-back erasure is never replayed after a restore.
        transaction.on_commit(
            lambda: erasure_ledger_record(subject=subject, terminate_account=terminate_account)
        )
        report = _report(outcomes)
        RequestEvent.objects.create(
            request=request,
            kind=RequestEvent.Kind.ACTION,
            actor=by,
            actor_label=by.get_username(),
            body=f"Erasure run on {timezone.localtime():%-d %B %Y, %H:%M %Z}.\n\n{report}",
        )
        audit.record(
            by,
            "rights_request.erasure_run",
            target=request,
            details={
                "reference": request.reference,
                "terminated_accounts": terminated,
                "outcomes": [
                    {"entry": o.entry.name, "action": o.action, "rows": o.rows, "reason": o.reason}
                    for o in outcomes
                ],
            },
        )
    return outcomes
