from django.core.management.base import BaseCommand

from security.services.self_check import backup_record


class Command(BaseCommand):
    help = (
        "Record that a backup of the service has just finished. The deployment's backup job "
        "runs this after each successful backup; the security self-check fails when the newest "
        "is older than SECURITY_BACKUP_MAX_AGE_HOURS, or when none was ever recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--description",
            default="",
            help='What was backed up and where, in words (e.g. "Nightly database dump").',
        )

    def handle(self, *args, description: str, **options):
        record = backup_record(description=description[:200])
        self.stdout.write(self.style.SUCCESS(f"Backup recorded (number {record.pk})."))
