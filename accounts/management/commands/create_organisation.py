"""Onboard a client from the command line: the organisation and its first client admin."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.email_links import invitation_url
from accounts.services.organisations import organisation_create


class Command(BaseCommand):
    help = (
        "Create a client organisation and invite its first client admin (the usual 72-hour "
        "link, e-mailed and printed here). Recorded in the audit trail as the system."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the organisation's name")
        parser.add_argument("--admin-email", required=True, help="the first client admin")
        parser.add_argument("--admin-name", default="", help="the first client admin's name")
        parser.add_argument(
            "--mfa-required",
            action="store_true",
            help="require two-step login of every user, not only of client admins",
        )

    def handle(self, *args, name, admin_email, admin_name, mfa_required, **options):
        try:
            organisation, invitation = organisation_create(
                name=name,
                admin_email=admin_email,
                admin_name=admin_name,
                mfa_required=mfa_required,
                by=None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Organisation {organisation.pk}: {organisation.name} ({organisation.slug})"
        )
        if organisation.mfa_required:
            self.stdout.write("Two-step login is required of every user.")
        self.stdout.write(
            f"Invitation for {invitation.user.email}, valid until "
            f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC:"
        )
        self.stdout.write(invitation_url(invitation))
