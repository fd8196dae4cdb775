"""Send a marketing e-mail to everyone who opted in to a topic and has not objected."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communications.models import MarketingTopic
from communications.selectors import marketing_recipients
from communications.services import marketing_send


class Command(BaseCommand):
    help = (
        "Send a marketing e-mail on one topic to every active user who opted in to it and has "
        "not objected to marketing. Each e-mail carries its own unsubscribe link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--topic", required=True, choices=MarketingTopic.values)
        parser.add_argument("--subject", required=True)
        parser.add_argument(
            "--body-file", required=True, type=Path, help="A UTF-8 text file with the body."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the recipients; send nothing."
        )

    def handle(self, *args, topic, subject, body_file, dry_run, **options):
        try:
            body = body_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {body_file}: {exc.strerror}.") from exc
        label = MarketingTopic(topic).label
        total = marketing_recipients(topic).count()
        if dry_run:
            self.stdout.write(f"{label}: {total} recipient(s) would be sent this e-mail.")
            return
        self.stdout.write(f"{label}: sending to {total} recipient(s)…")

        def progress(sent: int, of: int) -> None:
            self.stdout.write(f"  sent {sent}/{of}")

        try:
            sent = marketing_send(topic=topic, subject=subject, body=body, progress=progress)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} e-mail(s)."))
