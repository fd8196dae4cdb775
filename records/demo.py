"""A demo disclosure and a complete processor register for the embedded mode."""

import datetime

from accounts.models import User
from common.roles import Role
from records.models import Disclosure, Processor
from records.services import disclosure_record, processor_save


def disclosures_demo_seed(*, dpo) -> None:
    """One disclosure to the regulator, recorded once, about two members."""
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


# What a DPO would record from the signed agreements; the migration seeds everything else.
DEMO_AGREEMENTS = {
    "Cloud hosting provider": (datetime.date(2024, 3, 1), []),
    "Transactional e-mail provider": (datetime.date(2024, 3, 12), []),
    "Microsoft 365": (
        datetime.date(2024, 1, 15),
        [{"name": "Microsoft Ireland Operations", "service": "Backup storage", "country": "IE"}],
    ),
}


def processors_demo_seed(*, dpo) -> None:
    """The seeded register, completed with the agreements' dates and clauses (once)."""
    for processor in Processor.objects.filter(name__in=DEMO_AGREEMENTS, agreement_date=None):
        signed, subs = DEMO_AGREEMENTS[processor.name]
        processor_save(
            processor=processor,
            fields={"agreement_date": signed, "no_own_use_clause": True, "sub_processors": subs},
            activities=processor.activities.all(),
            by=dpo,
        )
