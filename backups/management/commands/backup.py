from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from backups.archive import BackupError
from backups.services import backup_take


class Command(BaseCommand):
    help = (
        "Back up the main database to one file (pg_dump on PostgreSQL, SQLite's online backup "
        "in the embedded mode), encrypted when BACKUP_KEY is set, and record it for the "
        "security self-check. The erasure ledger is not in it: it must outlive the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The file to write.")

    def handle(self, *args, out: str, **options):
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"No folder {path.parent} to write the backup into.")
        try:
            data, result = backup_take(progress=self.stderr.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        path.write_bytes(data)
        path.chmod(0o600)
        header = result.header
        encrypted = "encrypted" if settings.BACKUP_KEY else "not encrypted (set BACKUP_KEY)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {header.tables:,} tables ({header.rows_in_words}) to {path}: "
                f"{filesizeformat(result.size)}, {encrypted}, in {result.seconds:.1f} s."
            )
        )
