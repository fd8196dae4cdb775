"""Invite a DPO or support colleague from the server, and print their invitation link.

The company's first DPO can only come from here: nobody can log in to the back office yet.
After that the DPO invites colleagues at /backoffice/staff/. The command acts as the system in
the audit trail: whoever runs it holds the server, not an account.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.email_links import invitation_url
from accounts.models import STAFF_ROLES
from accounts.selectors import staff_member_invited
from accounts.services.staff import staff_invite, staff_reinvite
from accounts.services.users import EmailTaken

ROLES = sorted(STAFF_ROLES)


class Command(BaseCommand):
    help = "Invite a DPO or support colleague (no organisation) and print the invitation link."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Their work e-mail address.")
        parser.add_argument("--role", help=f"One of: {', '.join(ROLES)}.")
        parser.add_argument(
            "--name", default="", help="Their full name (default: from the e-mail)."
        )
        parser.add_argument(
            "--again",
            action="store_true",
            help="Issue a fresh link to a staff member who has not accepted yet.",
        )

    def handle(self, *args, email, role, name, again, **options):
        try:
            with transaction.atomic():
                if again:
                    user = staff_member_invited(email)
                    if user is None:
                        raise CommandError(
                            "No staff member with this e-mail address is awaiting an invitation."
                        )
                    invitation = staff_reinvite(user=user, by=None)
                else:
                    if role not in ROLES:
                        raise CommandError(f"--role must be one of: {', '.join(ROLES)}.")
                    user = staff_invite(email=email, full_name=name, role=role, by=None)
                    invitation = user.invitations.get()
        except EmailTaken as taken:
            raise CommandError(
                "An account already uses this e-mail address. "
                "To send a staff member's link again, add --again."
            ) from taken
        except ValidationError as invalid:
            raise CommandError(" ".join(invalid.messages)) from invalid
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from refused
        verb = "invited again" if again else "invited"
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.full_name} <{user.email}> is {verb} as {user.get_role_display().lower()}."
            )
        )
        self.stdout.write("Their invitation link, valid for 72 hours (it was e-mailed too):")
        self.stdout.write(invitation_url(invitation))
