"""Demo breaches (seed_demo calls this; idempotent, keyed by title)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from breaches.models import Breach, BreachEvent
from breaches.services.register import (
    breach_decide,
    breach_open,
    breach_record_ico_report,
    breach_send_update,
)

OPEN_TITLE = "Demo: usage report e-mailed to the wrong client"
REPORTED_TITLE = "Demo: laptop with a support export stolen"


def breaches_demo_seed(*, dpo: User) -> None:
    now = timezone.now()
    if not Breach.objects.filter(title=OPEN_TITLE).exists():
        _open_breach_seed(dpo=dpo, now=now)
    if not Breach.objects.filter(title=REPORTED_TITLE).exists():
        _reported_breach_seed(dpo=dpo, now=now)


def _open_breach_seed(*, dpo: User, now) -> None:
    """Aware 30 hours ago: the clock shows 42 hours left."""
    breach_open(
        by=dpo,
        title=OPEN_TITLE,
        aware_at=now - timedelta(hours=30),
        occurred_at=now - timedelta(hours=34),
        description="A support engineer attached Acme Analytics' monthly usage report to "
        "an e-mail sent to Brightwater Logistics' admin.",
        discovered_how="Brightwater's admin replied to tell us.",
        data_categories=["identifiers", "usage"],
        people_categories=["end_users"],
        people_approx=12,
        records_approx=340,
        likely_consequences="Names and product activity seen by another client; low risk "
        "of harm, some loss of confidentiality.",
        measures_taken="Recipient asked to delete the e-mail and confirmed deletion.",
        measures_proposed="Reports sent only through the console, never by e-mail.",
    )


def _reported_breach_seed(*, dpo: User, now) -> None:
    """Ten days old: reported to the ICO, people told, and an update sent."""
    aware = now - timedelta(days=10)
    breach = breach_open(
        by=dpo,
        title=REPORTED_TITLE,
        aware_at=aware,
        occurred_at=aware - timedelta(hours=6),
        description="An unencrypted laptop holding a CSV export of support tickets was "
        "stolen from a car.",
        discovered_how="The engineer reported the theft the next morning.",
        data_categories=["identifiers", "login"],
        people_categories=["end_users", "client_admins"],
        people_approx=150,
        records_approx=420,
        likely_consequences="Contact details and usernames could be used for phishing.",
        measures_taken="Laptop wiped remotely; passwords of affected users reset.",
        measures_proposed="Full-disk encryption enforced on every laptop.",
    )
    breach_decide(
        breach=breach,
        kind=BreachEvent.Kind.REPORT_ICO,
        reason="Risk of phishing against 150 people: reportable.",
        by=dpo,
    )
    breach_record_ico_report(
        breach=breach,
        reference="IC-123456-D3M0",
        reported_at=aware + timedelta(hours=40),
        by=dpo,
    )
    breach_decide(
        breach=breach,
        kind=BreachEvent.Kind.TELL_PEOPLE,
        reason="Phishing risk is high for the people named: they are told what to watch for.",
        by=dpo,
    )
    breach_send_update(
        breach=breach,
        recipient=BreachEvent.Recipient.ICO,
        summary="Confirmed the laptop was wiped before it was next switched on.",
        by=dpo,
    )
