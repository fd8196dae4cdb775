"""Demo organisations, users and their two-step logins for the embedded mode, and demo
investigations and communication choices, made once each through the services a real login,
a real member and a real DPO use."""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.communications import communication_preferences_update, marketing_object
from accounts.investigations import investigation_record_outcome
from accounts.mfa import (
    BACKUP_CODE_ALPHABET,
    BACKUP_CODE_COUNT,
    BACKUP_DEVICE_NAME,
    TOTP_DEVICE_NAME,
    format_backup_code,
    totp_secret,
)
from accounts.models import (
    BackupCode,
    BackupCodeDevice,
    CommunicationPreferences,
    Investigation,
    Organisation,
    User,
)
from accounts.security import Event, investigation_raise
from common.roles import Role

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


def demo_authenticator_key(email: str) -> str:
    """The demo account's authenticator key as an app takes it (base32)."""
    return totp_secret(TOTPDevice(key=demo_totp_key(email)))


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


@dataclass
class DemoAccounts:
    """What the other apps' demo seeds build on, and the logins the seeding prints."""

    organisations: list[Organisation] = field(default_factory=list)
    seeded: list[User] = field(default_factory=list)
    # (e-mail, role, where) of the accounts worth printing.
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    dpo: User | None = None
    support: User | None = None

    @property
    def mfa_users(self) -> list[User]:
        return [user for user in self.seeded if user.mfa_required]

    @cached_property
    def password_hash(self) -> str:
        # Hash once: Argon2 takes a third of a second a time, on purpose.
        return make_password(DEMO_PASSWORD)


def accounts_demo_seed() -> DemoAccounts:
    """Two client organisations with an admin and twelve members each, the DPO and support."""
    accounts = DemoAccounts()
    for slug, name, mfa_required, members in ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "mfa_required": mfa_required}
        )
        accounts.organisations.append(organisation)
        domain = slug.split("-")[0] + ".example"
        admin = _demo_user(
            accounts, f"admin@{domain}", f"{name.split()[0]} Admin", Role.CLIENT_ADMIN, organisation
        )
        accounts.logins.append((admin.email, "client admin", name))
        for index, full_name in enumerate(members):
            email = full_name.lower().replace(" ", ".") + f"@{domain}"
            user = _demo_user(
                accounts, email, full_name, Role.MEMBER, organisation, JOB_TITLES[index % 5]
            )
            if index == 0:
                accounts.logins.append((user.email, "member", name))
    accounts.dpo = _demo_user(accounts, "dpo@privacydesk.test", "Priya Shah", Role.DPO, None, "DPO")
    accounts.support = _demo_user(
        accounts, "support@privacydesk.test", "Sam Jones", Role.SUPPORT, None, "Support engineer"
    )
    accounts.logins += [
        (accounts.dpo.email, "DPO", "PrivacyDesk"),
        (accounts.support.email, "support", "PrivacyDesk"),
    ]
    return accounts


def _demo_user(accounts: DemoAccounts, email, full_name, role, organisation, job_title=""):
    user = User.objects.select_related("organisation").filter(email=email).first()
    if user is None:
        user = User(
            email=email,
            password=accounts.password_hash,
            full_name=full_name,
            role=role,
            organisation=organisation,
            job_title=job_title,
        )
        user.full_clean()
        user.save()
    accounts.seeded.append(user)
    return user


def mfa_demo_seed(users: list[User]) -> None:
    """A confirmed authenticator and backup codes for each account that must have them.

    Left alone where the account already has them, so codes used or devices re-enrolled
    in the demo survive another run.
    """
    ids = [user.pk for user in users]
    with_totp = set(
        TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
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


def investigations_demo_seed(*, dpo: User) -> None:
    """One open investigation whose rule held a member's account, and one closed one.

    Each is made once, through the same services a real login and a real DPO use; a
    demo in which someone has since worked them is left as it is.
    """
    now = timezone.now()
    held = User.objects.get(email="jack.murphy@acme.example")
    if not Investigation.objects.filter(user=held, rule="many_ips_in_hour").exists():
        browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0"
        investigation_raise(
            rule="many_ips_in_hour",
            summary="Successful logins from 4 IP addresses within 60 minutes",
            evidence=[
                Event(now - timedelta(minutes=50 - 15 * n), ip, "login_succeeded", browser)
                for n, ip in enumerate(
                    ["203.0.113.10", "198.51.100.23", "192.0.2.77", "203.0.113.201"]
                )
            ],
            user=held,
            ip_address="203.0.113.201",
            suspend_reason="successful logins from many places within an hour",
        )
    cleared = User.objects.get(email="isla.robinson@acme.example")
    if not Investigation.objects.filter(user=cleared, rule="lockout").exists():
        investigation = investigation_raise(
            rule="lockout",
            summary="Logins to this account were locked out after repeated failures from "
            "198.51.100.4",
            evidence=[
                Event(now - timedelta(days=3, minutes=5 - n), "198.51.100.4", "login_failed")
                for n in range(5)
            ]
            + [Event(now - timedelta(days=3), "198.51.100.4", "locked_out")],
            user=cleared,
            ip_address="198.51.100.4",
        )
        investigation_record_outcome(
            investigation=investigation,
            outcome=Investigation.Outcome.CLEARED,
            reason="The user had forgotten a recently changed password; confirmed by phone.",
            by=dpo,
        )


def communications_demo_seed() -> None:
    """A few members who asked for marketing e-mail, and one who objected to all of it."""
    choices = {
        "olivia.bennett@acme.example": (True, True, False),
        "harry.clarke@acme.example": (True, False, False),
        "george.patel@acme.example": (False, False, True),
        "grace.wood@brightwater.example": (True, False, True),
    }
    chose = set(
        CommunicationPreferences.objects.filter(
            user__email__in=[*choices, "amelia.hughes@acme.example"]
        ).values_list("user__email", flat=True)
    )
    for email, (newsletter, webinars, product_updates) in choices.items():
        if email not in chose:
            communication_preferences_update(
                user=User.objects.get(email=email),
                newsletter=newsletter,
                webinars=webinars,
                product_updates=product_updates,
            )
    if "amelia.hughes@acme.example" not in chose:
        amelia = User.objects.get(email="amelia.hughes@acme.example")
        marketing_object(user=amelia, by=amelia, source="account")
