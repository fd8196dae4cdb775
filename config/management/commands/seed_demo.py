"""Seed demo data for the embedded mode. Idempotent: running it twice changes nothing more.

Each app seeds its own demo data in its ``demo.py``; this command, above every app, calls them
in the order their data builds on each other and prints the logins.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import (
    DEMO_PASSWORD,
    DemoAccounts,
    accounts_demo_seed,
    closed_organisation_demo_seed,
)
from breaches.demo import breaches_demo_seed
from common.roles import Role
from communications.demo import communications_demo_seed
from cookies.demo import consent_demo_seed, privacy_notice_demo_publish
from dsar.demo import rights_requests_demo_seed
from enquiries.demo import enquiries_demo_seed
from recipients.demo import recipients_demo_seed
from records.demo import disclosures_demo_seed, processors_demo_seed
from retention.demo import retention_demo_seed
from scim.demo import provisioning_demo_seed
from security.demo import (
    demo_authenticator_key,
    demo_backup_codes,
    investigations_demo_seed,
    mfa_demo_seed,
    security_check_demo_seed,
)
from usage.demo import reports_demo_seed, usage_demo_seed


class Command(BaseCommand):
    help = "Create demo organisations and users (idempotent) and print their logins."

    def handle(self, *args, **options):
        # The notices seeding triggers (held accounts, acknowledgements) would flood the
        # console in the embedded mode; this one-off process keeps them in memory instead.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        with transaction.atomic():
            accounts = accounts_demo_seed()
            for organisation in accounts.organisations:
                usage_demo_seed(
                    organisation=organisation,
                    users=list(organisation.users.filter(role=Role.MEMBER)),
                )
                reports_demo_seed(organisation=organisation)
            mfa_demo_seed(accounts.mfa_users)
            dpo, support = accounts.dpo, accounts.support
            investigations_demo_seed(dpo=dpo)
            breaches_demo_seed(dpo=dpo)
            communications_demo_seed()
            rights_requests_demo_seed(dpo=dpo, support=support)
            consent_demo_seed()
            retention_demo_seed(dpo=dpo, organisation=accounts.organisations[-1])
            closed_organisation_demo_seed(accounts, closed_by=dpo)
            enquiries_demo_seed(support=support)
            disclosures_demo_seed(dpo=dpo)
            processors_demo_seed(dpo=dpo)
            recipients_demo_seed(organisation=accounts.organisations[0])
            provisioning_demo_seed(organisation=accounts.organisations[0])
            privacy_notice_demo_publish(dpo=dpo)
            # Last: the self-check verifies the audit trail the seeding above has written.
            security_check_demo_seed()
        self._print_logins(accounts)
        self._print_mfa(accounts, **options)

    def _print_logins(self, accounts: DemoAccounts) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at /accounts/login/ as:"))
        width = max(len(email) for email, _, _ in accounts.logins)
        for email, role, where in accounts.logins:
            self.stdout.write(f"  {email:<{width}}  {role:<13} {where}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")

    def _print_mfa(self, accounts: DemoAccounts, **options) -> None:
        users = accounts.mfa_users
        listed = {email for email, _, _ in accounts.logins}
        shown = (
            users if options.get("verbosity", 1) > 1 else [u for u in users if u.email in listed]
        )
        self.stdout.write("")
        self.stdout.write(
            "Two-step login: client admins, the DPO, support and every Brightwater user need a "
            "code after the password. Add the key to an authenticator app, or use a backup code "
            "(each works once):"
        )
        for user in shown:
            self.stdout.write(f"  {user.email}")
            self.stdout.write(f"    authenticator key: {demo_authenticator_key(user.email)}")
            self.stdout.write(f"    backup codes:      {' '.join(demo_backup_codes(user.email))}")
        if len(shown) < len(users):
            self.stdout.write(
                f"  ({len(users) - len(shown)} more accounts have them too: "
                "run with -v 2 to print them all.)"
            )
