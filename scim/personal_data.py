"""What provisioning holds about people: the directory's id and name parts for each user it
provisions, and who made or revoked the organisation's tokens."""

from django.db.models import Q

from accounts.personal_data import organisation_credential
from datamap import Category, Delete, Entry, LegalBasis, register

register(
    Entry(
        name="scim.identities",
        title="Your employer's directory record",
        labels={
            "external_id": "Your id in your employer's directory",
            "given_name": "Given name",
            "family_name": "Family name",
            "created_at": "First provisioned",
            "updated_at": "Last changed by provisioning",
        },
        model="scim.ScimIdentity",
        category=Category.CONTACT,
        description="What your employer's identity provider told us about you when it set up "
        "your account (SCIM provisioning): its own id for you and the parts of your name.",
        subject=lambda s: Q(user_id__in=s.user_ids),
        export_fields=("external_id", "given_name", "family_name", "created_at", "updated_at"),
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.CONTRACT,
        legal_basis_detail="Needed to provide the service the client contracted for: its "
        "directory manages its users' accounts.",
    )
)

organisation_credential(
    name="scim.tokens",
    title="Provisioning tokens",
    model="scim.ScimToken",
    description="Provisioning (SCIM) tokens a user created or revoked for their organisation.",
)
