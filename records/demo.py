"""A demo disclosure for the embedded mode."""

from accounts.models import User
from common.roles import Role
from records.models import Disclosure
from records.services import disclosure_record


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
