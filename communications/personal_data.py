"""What communications holds about people: the marketing they asked for and were sent."""

from django.db.models import Q

from datamap import Category, Delete, Entry, LegalBasis, register

# The entry names are those given when accounts held these models: access packages name their
# files after them and past purge runs count under them, so they stay.


def _own(subject):
    return Q(user_id__in=subject.user_ids)


register(
    Entry(
        name="accounts.communication_preferences",
        title="E-mail preferences",
        labels={
            "newsletter": "Newsletter",
            "webinars": "Webinars",
            "product_updates": "Product news",
            "marketing_objection_at": "Objected to marketing",
        },
        model="communications.CommunicationPreferences",
        category=Category.CONTACT,
        description="The newsletters, webinars and product news a user asked for, "
        "and any objection to direct marketing.",
        subject=_own,
        export_fields=("newsletter", "webinars", "product_updates", "marketing_objection_at"),
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.CONSENT,
        legal_basis_detail=(
            "Consent: sent only on the topics a person ticked; unticking one or objecting "
            "to direct marketing stops it at once."
        ),
    )
)

register(
    Entry(
        name="accounts.marketing_deliveries",
        title="Marketing e-mails sent",
        labels={
            "send__subject": "Subject",
            "send__topic": "Topic",
            "sent_at": "Sent",
        },
        model="communications.MarketingDelivery",
        category=Category.CONTACT,
        description="The marketing e-mails you were sent, and when.",
        subject=_own,
        export_fields=("send__subject", "send__topic", "sent_at"),
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.CONSENT,
        legal_basis_detail="Consent: sent only on the topics a person ticked.",
    )
)
