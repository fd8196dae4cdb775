from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError
from backups.services import backup_restore
from common import present


class Command(BaseCommand):
    help = (
        "Replace the main database with a backup made by `manage.py backup`, then erase again "
        "everyone the erasure ledger says was erased after the backup was taken. Stop the web "
        "and worker processes first; nothing may read the restored data before the replay."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm that the current data is to be replaced."
        )

    def handle(self, *args, file: str, yes: bool, **options):
        if not yes:
            raise CommandError(
                "A restore replaces every row of the database. Run again with --yes to go ahead."
            )
        try:
            result = backup_restore(path=Path(file), progress=self.stderr.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        header, replay = result.header, result.replay
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {present.when(header.taken_at)}: {header.tables:,} "
                f"tables ({header.rows_in_words}) in {result.seconds:.1f} s. "
                f"Erased again: {replay.people:,} {'person' if replay.people == 1 else 'people'} "
                f"({replay.entries:,} erasures since the backup in the ledger)."
            )
        )
