from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditAnchor, AuditEntry
from audit.services import audit_chain_verify_and_alert


class Command(BaseCommand):
    help = (
        "Walk the audit trail's MAC chain, check it against its anchors, and name the first "
        "entry that was tampered with. An intact chain's head is anchored; a broken one mails "
        "the DPO."
    )

    def handle(self, *args, **options):
        total = AuditEntry.objects.count()
        self.stdout.write(f"Verifying {total:,} audit entries…")

        def progress(checked: int) -> None:
            self.stderr.write(f"  {checked:,} / {total:,} ({checked * 100 // max(total, 1)}%)")

        result = audit_chain_verify_and_alert(kind=AuditAnchor.Kind.VERIFY, progress=progress)
        if not result.intact:
            raise CommandError(
                f"Audit trail broken at entry #{result.broken_entry_id}: {result.problem}. "
                f"{result.checked:,} entries before it are intact."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {result.checked:,} entries, "
                f"{result.anchors_checked:,} anchors; head #{result.head_id} anchored."
            )
        )
