"""What enquiries holds about people: their messages to support, and support's replies.

Erasure deletes both. An enquiry exists only to answer the person; nothing obliges us to keep
it once they ask us to erase it, and a free-text message cannot be anonymised field by field
(anything personal may be anywhere in it), so anonymising would keep nothing useful. That it
was handled stays in the audit trail (enquiry.reply / enquiry.close entries).
"""

from django.db.models import Q

from datamap import Category, Delete, Entry, LegalBasis, register


def _enquiries(subject):
    return Q(user_id__in=subject.user_ids) | Q(email__in=subject.emails)


def _replies(subject):
    return Q(enquiry__user_id__in=subject.user_ids) | Q(enquiry__email__in=subject.emails)


register(
    Entry(
        name="enquiries.enquiries",
        title="Enquiries",
        labels={
            "created_at": "Sent",
            "name": "Name",
            "email": "E-mail address",
            "subject": "Subject",
            "message": "Message",
            "status": "Status",
            "closed_at": "Closed",
        },
        model="enquiries.Enquiry",
        category=Category.ENQUIRY,
        description="Enquiries sent to support: your name, e-mail address, subject and message.",
        subject=_enquiries,
        export_fields=("created_at", "name", "email", "subject", "message", "status", "closed_at"),
        erasure=Delete(),
        retention_category="enquiries",
        retention_field="last_activity_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Customer relationships: answering the questions people send us.",
        erasure_order=60,
    )
)

register(
    Entry(
        name="enquiries.replies",
        title="Replies to enquiries",
        labels={
            "enquiry__subject": "Enquiry",
            "created_at": "Written",
            "body": "Reply",
            "sent_at": "Sent",
        },
        model="enquiries.EnquiryReply",
        category=Category.ENQUIRY,
        description="Our replies to your enquiries, as sent to you by e-mail.",
        subject=_replies,
        export_fields=("enquiry__subject", "created_at", "body", "sent_at"),
        erasure=Delete(),
        retention_category="enquiries",
        retention_field="enquiry__last_activity_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Customer relationships: answering the questions people send us.",
        # Before the enquiries they answer.
        erasure_order=50,
    )
)
