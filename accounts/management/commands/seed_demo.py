"""Seed demo data for the embedded mode. Idempotent: running it twice changes nothing more."""

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.functional import cached_property

from accounts.models import Organisation, Role, User

DEMO_PASSWORD = "privacydesk-demo-2026"  # noqa: S105 (printed for the embedded demo only)

ORGANISATIONS = [
    (
        "acme-analytics",
        "Acme Analytics Ltd",
        False,
        [
            "Olivia Bennett",
            "Harry Clarke",
            "Amelia Hughes",
            "George Patel",
            "Isla Robinson",
            "Jack Murphy",
            "Ava Thompson",
            "Noah Walker",
            "Emily Wright",
            "Leo Edwards",
            "Sophie Green",
            "Oscar Hall",
        ],
    ),
    (
        "brightwater-logistics",
        "Brightwater Logistics plc",
        True,
        [
            "Grace Wood",
            "Charlie Lewis",
            "Freya Harris",
            "Alfie Young",
            "Poppy King",
            "Thomas Scott",
            "Evie Baker",
            "Henry Adams",
            "Ruby Mitchell",
            "William Turner",
            "Lily Phillips",
            "Arthur Campbell",
        ],
    ),
]

JOB_TITLES = ["Analyst", "Account manager", "Engineer", "Operations lead", "Designer"]


class Command(BaseCommand):
    help = "Create demo organisations and users (idempotent) and print their logins."

    def handle(self, *args, **options):
        logins: list[tuple[str, str, str]] = []
        with transaction.atomic():
            for slug, name, mfa_required, members in ORGANISATIONS:
                organisation, _ = Organisation.objects.get_or_create(
                    slug=slug, defaults={"name": name, "mfa_required": mfa_required}
                )
                domain = slug.split("-")[0] + ".example"
                admin = self._user(
                    f"admin@{domain}", f"{name.split()[0]} Admin", Role.CLIENT_ADMIN, organisation
                )
                logins.append((admin.email, "client admin", name))
                for index, full_name in enumerate(members):
                    email = full_name.lower().replace(" ", ".") + f"@{domain}"
                    user = self._user(
                        email, full_name, Role.MEMBER, organisation, JOB_TITLES[index % 5]
                    )
                    if index == 0:
                        logins.append((user.email, "member", name))
            dpo = self._user("dpo@privacydesk.test", "Priya Shah", Role.DPO, None, "DPO")
            support = self._user(
                "support@privacydesk.test", "Sam Jones", Role.SUPPORT, None, "Support engineer"
            )
            logins += [(dpo.email, "DPO", "PrivacyDesk"), (support.email, "support", "PrivacyDesk")]

        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at /accounts/login/ as:"))
        width = max(len(email) for email, _, _ in logins)
        for email, role, where in logins:
            self.stdout.write(f"  {email:<{width}}  {role:<13} {where}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")

    def _user(self, email, full_name, role, organisation, job_title=""):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(
                email=email,
                password=self.password_hash,
                full_name=full_name,
                role=role,
                organisation=organisation,
                job_title=job_title,
            )
            user.full_clean()
            user.save()
        return user

    @cached_property
    def password_hash(self) -> str:
        # Hash once: Argon2 takes a third of a second a time, on purpose.
        return make_password(DEMO_PASSWORD)
