"""What cookies holds about people: the proof of their cookie decisions."""

from django.db.models import Q

from datamap import Anonymise, Category, Delete, Entry, LegalBasis, exempt, register

register(
    Entry(
        name="cookies.consent",
        title="Cookie choices",
        labels={
            "created_at": "When",
            "method": "Made in",
            "policy_version": "Cookie policy version",
            "accepted": "Accepted",
            "declined": "Declined",
            "gpc": "Global Privacy Control signal sent",
        },
        model="cookies.ConsentRecord",
        category=Category.CONSENT,
        description=(
            "Each cookie decision: when, the categories accepted and declined, the cookie "
            "policy version shown, how it was given, whether the browser sent a Global "
            "Privacy Control signal, a keyed hash of a random visitor id "
            "(never the IP address), and the user when logged in."
        ),
        subject=lambda subject: Q(user_id__in=subject.user_ids),
        export_fields=("created_at", "method", "policy_version", "accepted", "declined", "gpc"),
        # The decision stays as anonymous proof and for the consent-rate figures.
        erasure=Anonymise({"user": None}),
        retention_category="consent",
        retention_field="created_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail=(
            "PECR regulation 6 and UK GDPR Article 7(1): we must be able to show that a visitor "
            "consented to non-essential cookies."
        ),
    )
)

register(
    Entry(
        name="cookies.notice_change_emails",
        title="Privacy notice changes you were told of",
        labels={"version__number": "Privacy notice version", "sent_at": "Sent"},
        model="cookies.NoticeChangeEmail",
        category=Category.CONTACT,
        description="The e-mails telling you that our privacy notice changed, and when.",
        subject=lambda subject: Q(user_id__in=subject.user_ids),
        export_fields=("version__number", "sent_at"),
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail=(
            "UK GDPR Articles 13 and 14: people are told when the use of their data changes."
        ),
    )
)

exempt(
    "cookies.PolicyVersion",
    "The text of our own privacy notice and cookie policy; who wrote it is in the audit trail.",
)
exempt("cookie_consent.CookieGroup", "A cookie category's name and purpose, not a person's data.")
exempt("cookie_consent.Cookie", "A cookie's name and purpose, not a person's data.")
