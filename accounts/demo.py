"""Demo organisations and users for the embedded mode: the accounts every other app's demo
builds on, and the logins the seeding prints."""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import GroupCompany, Organisation, User
from accounts.services.group_companies import group_company_add
from common.roles import Role

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

# Brightwater lets its people sign in with a passkey alone; Acme keeps passkeys a second step.
PASSKEY_SIGN_IN = {"brightwater-logistics"}

JOB_TITLES = ["Analyst", "Account manager", "Engineer", "Operations lead", "Designer"]

# A former client whose contract ended some weeks ago: closed, every account terminated.
CLOSED_ORGANISATION = ("cobalt-retail", "Cobalt Retail Ltd", ["Megan Price", "Owen Fletcher"])
CLOSED_WEEKS_AGO = 5


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
    """Two client organisations with an admin and twelve members each, the DPO and support,
    and a group company entitled to the first one's reports."""
    accounts = DemoAccounts()
    for slug, name, mfa_required, members in ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "mfa_required": mfa_required,
                "passkey_sign_in": slug in PASSKEY_SIGN_IN,
            },
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
    group_companies_demo_seed(accounts)
    return accounts


# Acme Analytics asked in writing that its holding company's admin see its usage reports;
# Brightwater named Acme Analytics, its business partner, for its own.
GROUP_COMPANY = ("acme-holdings", "Acme Group Holdings plc", "admin@acmeholdings.example")
GROUP_REQUESTED_DAYS_AGO = 40


def group_companies_demo_seed(accounts: DemoAccounts) -> None:
    """A group company with its own client admin, entitled to Acme Analytics' reports, and
    Acme Analytics entitled to Brightwater's as its business partner; recorded once."""
    slug, name, email = GROUP_COMPANY
    holdings, _ = Organisation.objects.get_or_create(slug=slug, defaults={"name": name})
    admin = _demo_user(accounts, email, "Nadia Holt", Role.CLIENT_ADMIN, holdings, "Group COO")
    accounts.logins.append((admin.email, "client admin", f"{name}, group company of Acme"))
    acme, brightwater = accounts.organisations[:2]
    requested_on = timezone.localdate() - datetime.timedelta(days=GROUP_REQUESTED_DAYS_AGO)
    for parent, member, relationship in (
        (acme, holdings, GroupCompany.Relationship.GROUP_COMPANY),
        (brightwater, acme, GroupCompany.Relationship.BUSINESS_PARTNER),
    ):
        if not GroupCompany.objects.filter(organisation=parent, member=member).exists():
            group_company_add(
                organisation=parent,
                member=member,
                relationship=relationship,
                requested_on=requested_on,
                by=accounts.dpo,
            )


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


def closed_organisation_demo_seed(accounts: DemoAccounts, *, closed_by: User) -> Organisation:
    """Cobalt Retail Ltd, closed some weeks ago: its admin and members terminated at the
    closing moment, so the retention clock of their data runs from it."""
    slug, name, members = CLOSED_ORGANISATION
    organisation, _ = Organisation.objects.get_or_create(slug=slug, defaults={"name": name})
    if organisation.status == Organisation.Status.CLOSED:
        return organisation
    admin = _demo_user(
        accounts, "admin@cobalt.example", "Cobalt Admin", Role.CLIENT_ADMIN, organisation
    )
    people = [admin]
    for index, full_name in enumerate(members):
        email = full_name.lower().replace(" ", ".") + "@cobalt.example"
        people.append(
            _demo_user(accounts, email, full_name, Role.MEMBER, organisation, JOB_TITLES[index])
        )
    closed_at = timezone.now() - datetime.timedelta(weeks=CLOSED_WEEKS_AGO)
    User.objects.filter(pk__in=[person.pk for person in people]).update(
        status=User.Status.TERMINATED, terminated_at=closed_at, terminated_by=closed_by
    )
    organisation.status = Organisation.Status.CLOSED
    organisation.closure_reason = "Demo: the contract was not renewed."
    organisation.closure_effective_on = timezone.localdate(closed_at)
    organisation.closed_at = closed_at
    organisation.closed_by = closed_by
    organisation.save()
    return organisation
