from django.core.management.base import BaseCommand

from datamap.dataset import load_dataset


class Command(BaseCommand):
    help = "Load a dataset written by export_test_dataset into an empty (migrated) database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the dataset to load")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, no_progress, **options):
        with open(file, encoding="utf-8") as handle:
            rows = load_dataset(iter(handle), progress=not no_progress)
        self.stdout.write(f"Loaded {rows} rows from {file}.")
