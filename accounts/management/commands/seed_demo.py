"""Seed demo data for the embedded mode. Idempotent: running it twice changes nothing more."""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.functional import cached_property
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import communications_demo_seed, investigations_demo_seed
from accounts.mfa import (
    BACKUP_CODE_ALPHABET,
    BACKUP_CODE_COUNT,
    BACKUP_DEVICE_NAME,
    TOTP_DEVICE_NAME,
    format_backup_code,
    totp_secret,
)
from accounts.models import BackupCode, BackupCodeDevice, Organisation, User
from audit.demo import disclosures_demo_seed
from breaches.demo import breaches_demo_seed
from common.roles import Role
from cookies.demo import consent_demo_seed
from dsar.demo import rights_requests_demo_seed
from enquiries.demo import enquiries_demo_seed
from retention.demo import retention_demo_seed
from usage.demo import usage_demo_seed

DEMO_PASSWORD = "privacydesk-demo-2026"  # noqa: S105 (printed for the embedded demo only)
# Demo only: the authenticator keys and backup codes of demo accounts derive from it, so the
# printed ones stay valid across runs. Never use this for a real account.
DEMO_MFA_KEY = b"privacydesk-demo-mfa-2026"


def _demo_digest(email: str, purpose: str) -> bytes:
    return hmac.new(DEMO_MFA_KEY, f"{purpose}:{email}".encode(), hashlib.sha256).digest()


def demo_totp_key(email: str) -> str:
    """The hex TOTP key (20 bytes, as django-otp stores it) of a demo account."""
    return _demo_digest(email, "totp")[:20].hex()


def demo_backup_codes(email: str) -> list[str]:
    """The demo account's 10 backup codes, as printed (``xxxxx-xxxxx``)."""
    codes = []
    for index in range(BACKUP_CODE_COUNT):
        digest = _demo_digest(email, f"backup-{index}")
        raw = "".join(BACKUP_CODE_ALPHABET[byte % len(BACKUP_CODE_ALPHABET)] for byte in digest)
        codes.append(format_backup_code(raw[:10]))
    return codes


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
        # The notices seeding triggers (held accounts, acknowledgements) would flood the
        # console in the embedded mode; this one-off process keeps them in memory instead.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        self.seeded: list[User] = []
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
                usage_demo_seed(
                    organisation=organisation,
                    users=list(organisation.users.filter(role=Role.MEMBER)),
                )
            dpo = self._user("dpo@privacydesk.test", "Priya Shah", Role.DPO, None, "DPO")
            support = self._user(
                "support@privacydesk.test", "Sam Jones", Role.SUPPORT, None, "Support engineer"
            )
            logins += [(dpo.email, "DPO", "PrivacyDesk"), (support.email, "support", "PrivacyDesk")]
            mfa_users = [user for user in self.seeded if user.mfa_required]
            self._give_mfa(mfa_users)
            investigations_demo_seed(dpo=dpo)
            breaches_demo_seed(dpo=dpo)
            communications_demo_seed()
            rights_requests_demo_seed(dpo=dpo, support=support)
            consent_demo_seed()
            retention_demo_seed(dpo=dpo, organisation=Organisation.objects.order_by("pk").last())
            enquiries_demo_seed(support=support)
            disclosures_demo_seed(dpo=dpo)

        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at /accounts/login/ as:"))
        width = max(len(email) for email, _, _ in logins)
        for email, role, where in logins:
            self.stdout.write(f"  {email:<{width}}  {role:<13} {where}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self._print_mfa(mfa_users, listed={email for email, _, _ in logins}, **options)

    def _give_mfa(self, users: list[User]) -> None:
        """A confirmed authenticator and backup codes for each account that must have them.

        Left alone where the account already has them, so codes used or devices re-enrolled
        in the demo survive another run.
        """
        ids = [user.pk for user in users]
        with_totp = set(
            TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list(
                "user_id", flat=True
            )
        )
        with_codes = set(
            BackupCodeDevice.objects.filter(user_id__in=ids).values_list("user_id", flat=True)
        )
        for user in users:
            if user.pk not in with_totp:
                TOTPDevice.objects.create(
                    user=user, name=TOTP_DEVICE_NAME, key=demo_totp_key(user.email), confirmed=True
                )
            if user.pk not in with_codes:
                device = BackupCodeDevice.objects.create(
                    user=user, name=BACKUP_DEVICE_NAME, confirmed=True
                )
                BackupCode.objects.bulk_create(
                    BackupCode(device=device, code_hash=BackupCodeDevice.code_hash(code))
                    for code in demo_backup_codes(user.email)
                )

    def _print_mfa(self, users: list[User], listed: set[str], **options) -> None:
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
            device = TOTPDevice(key=demo_totp_key(user.email))
            self.stdout.write(f"  {user.email}")
            self.stdout.write(f"    authenticator key: {totp_secret(device)}")
            self.stdout.write(f"    backup codes:      {' '.join(demo_backup_codes(user.email))}")
        if len(shown) < len(users):
            self.stdout.write(
                f"  ({len(users) - len(shown)} more accounts have them too: "
                "run with -v 2 to print them all.)"
            )

    def _user(self, email, full_name, role, organisation, job_title=""):
        user = User.objects.select_related("organisation").filter(email=email).first()
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
        self.seeded.append(user)
        return user

    @cached_property
    def password_hash(self) -> str:
        # Hash once: Argon2 takes a third of a second a time, on purpose.
        return make_password(DEMO_PASSWORD)
