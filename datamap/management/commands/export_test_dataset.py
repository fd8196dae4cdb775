from django.core.management.base import BaseCommand

from datamap.dataset import KEY_VARIABLE, key_from_environment, write_dataset


class Command(BaseCommand):
    help = (
        "Write a pseudonymised dataset (JSON Lines) for development and testing. Every "
        f"personal field the data map knows is replaced with a keyed HMAC ({KEY_VARIABLE})."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the file to write")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, out, no_progress, **options):
        key = key_from_environment()
        with open(out, "w", encoding="utf-8") as handle:
            rows = write_dataset(handle, key=key, progress=not no_progress)
        self.stdout.write(f"Wrote {rows} rows to {out}.")
