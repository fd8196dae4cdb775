"""Seed demo data for the embedded mode. Idempotent: running it twice changes nothing more."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property
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
    Role,
    User,
)
from accounts.security import Event, investigation_raise
from breaches.demo import breaches_demo_seed
from cookies.demo import consent_demo_seed
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
            self._seed_investigations(dpo)
            breaches_demo_seed(dpo=dpo)
            self._seed_communications()
            self._seed_rights_requests(dpo, support)
            consent_demo_seed()
            retention_demo_seed(dpo=dpo, organisation=Organisation.objects.order_by("pk").last())
            enquiries_demo_seed(support=support)
            self._seed_disclosures(dpo)

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

    def _seed_investigations(self, dpo: User) -> None:
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

    def _seed_communications(self) -> None:
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

    def _seed_rights_requests(self, dpo: User, support: User) -> None:
        """A rights request in every state the queue shows, two overdue and two due soon.

        Whatever today is: due dates fall 28 to 35 days after receipt (a month, then the next
        working day), so 38+ days ago is overdue and 28 days ago is due within a week.

        Each is filed once (keyed by its requester's address) through the services the
        intake and the DPO use; those logged by the DPO carry past received dates.
        """
        from dsar.models import Channel, RequestKind, RightsRequest
        from dsar.services import (
            rights_request_ask_requester,
            rights_request_assign,
            rights_request_complete,
            rights_request_extend,
            rights_request_file,
            rights_request_note,
            rights_request_reject,
            rights_request_start,
            rights_request_withdraw,
        )

        def start(request, **_):
            rights_request_start(request=request, by=dpo)

        def ask(request, **_):
            start(request)
            rights_request_ask_requester(
                request=request, message="Which of your employers' accounts do you mean?", by=dpo
            )

        def extend(request, **_):
            start(request)
            rights_request_extend(
                request=request, months=1, reason="Several linked requests.", by=dpo
            )

        def complete(request, **_):
            start(request)
            rights_request_complete(
                request=request, outcome="Your data is in the package we sent.", by=dpo
            )

        def reject(request, **_):
            rights_request_reject(
                request=request, reason="The same request for the fifth time this month.", by=dpo
            )

        def withdraw(request, **_):
            rights_request_withdraw(request=request, by=dpo)

        def noop(request, **_):
            pass

        # (e-mail, name, kind, channel, days ago received, verified, next steps, assignee)
        # fmt: off
        demo = [
            ("olivia.bennett@acme.example", "Olivia Bennett", RequestKind.ACCESS,
             Channel.ACCOUNT, 0, True, noop, None),
            ("pat.quinn@public.example", "Pat Quinn", RequestKind.ERASURE,
             Channel.WEB_FORM, 0, False, noop, None),
            ("former.user@public.example", "Morgan Lee", RequestKind.ACCESS,
             Channel.POST, 40, True, start, dpo),
            ("harry.clarke@acme.example", "Harry Clarke", RequestKind.RECTIFICATION,
             Channel.EMAIL, 38, True, noop, support),
            ("grace.wood@brightwater.example", "Grace Wood", RequestKind.RESTRICTION,
             Channel.PHONE, 28, True, start, dpo),
            ("poppy.king@brightwater.example", "Poppy King", RequestKind.OBJECTION,
             Channel.EMAIL, 28, True, noop, None),
            ("jo.doe@public.example", "Jo Doe", RequestKind.ACCESS,
             Channel.EMAIL, 12, True, ask, support),
            ("sophie.green@acme.example", "Sophie Green", RequestKind.PORTABILITY,
             Channel.EMAIL, 20, True, extend, dpo),
            ("noah.walker@acme.example", "Noah Walker", RequestKind.ACCESS,
             Channel.EMAIL, 30, True, complete, dpo),
            ("repeat.sender@public.example", "Chris Repeat", RequestKind.ERASURE,
             Channel.POST, 8, True, reject, None),
            ("changed.mind@public.example", "Alex Mind", RequestKind.ACCESS,
             Channel.EMAIL, 5, True, withdraw, None),
        ]
        # fmt: on
        filed = set(
            RightsRequest.objects.filter(requester_email__in=[row[0] for row in demo]).values_list(
                "requester_email", flat=True
            )
        )
        now = timezone.now()
        for email, name, kind, channel, days_ago, verified, then, assignee in demo:
            if email in filed:
                continue
            account = (
                User.objects.filter(email=email).first() if channel == Channel.ACCOUNT else None
            )
            request = rights_request_file(
                kind=kind,
                requester_name=name,
                requester_email=email,
                channel=channel,
                description=f"Demo {kind.label.lower()} request.",
                filed_by=account
                or (dpo if channel in (Channel.EMAIL, Channel.PHONE, Channel.POST) else None),
                received_at=now - timedelta(days=days_ago),
                verified=verified,
            )
            then(request)
            if assignee is not None:
                rights_request_assign(request=request, assignee=assignee, by=dpo)
            if days_ago > 30:
                rights_request_note(
                    request=request, body="Chased IT for the archive export.", by=dpo
                )

    def _seed_disclosures(self, dpo: User) -> None:
        from audit.disclosures import disclosure_record
        from audit.models import Disclosure

        reference = "ICO/DEMO/0001"
        if Disclosure.objects.filter(reference=reference).exists():
            return
        people = User.objects.filter(role=Role.MEMBER).order_by("pk")[:2]
        disclosure_record(
            recipient_type=Disclosure.RecipientType.REGULATOR,
            recipient="Information Commissioner's Office",
            legal_basis="Legal obligation: information notice under the Data Protection Act 2018",
            categories=["contact", "login"],
            description="Demo: account and login records for an ICO complaint investigation",
            reference=reference,
            subject_user_ids=[user.pk for user in people],
            by=dpo,
        )

    @cached_property
    def password_hash(self) -> str:
        # Hash once: Argon2 takes a third of a second a time, on purpose.
        return make_password(DEMO_PASSWORD)
