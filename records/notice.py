"""What the privacy notice says that the records hold: the information types (the data map),
purposes and legal bases, the legitimate interests with their balancing summaries, who
receives data, the service providers, and the retention schedule in words.

Plain dicts and lists of strings, so that a published version can keep them as they were
(a JSON snapshot) and two versions can be compared.
"""

from datamap import LegalBasis
from datamap.notice import information_types
from records.models import LegitimateInterest, ProcessingActivity
from records.selectors import processor_register
from retention.models import RetentionPolicy

# The legitimate interests as the company's notice names and explains them (section 4).
INTEREST_IN_NOTICE = {
    LegitimateInterest.GOODS_AND_SERVICES: (
        "Providing our customers with access to our goods and services",
        "In order for our business to be successful, it is necessary for us to make our "
        "business's goods and services accessible to customers.",
    ),
    LegitimateInterest.PRODUCT_DEVELOPMENT: (
        "The process of developing and enhancing our product",
        "We are committed to enhancing our products in order to maintain our competitive edge.",
    ),
    LegitimateInterest.SECURITY: (
        "Monitoring and safeguarding our data and systems",
        "Some of the ways we use personal data are justified by the need to ensure that our "
        "systems and the data we make available through the website are secure and only "
        "accessible to authorised users.",
    ),
    LegitimateInterest.CUSTOMER_RELATIONSHIPS: (
        "Our commitment to preserving our relationships with our customers",
        "Developing and sustaining positive relationships with our customers is something "
        "that we are interested in doing.",
    ),
    LegitimateInterest.COMMERCIAL: (
        "Commercial interests",
        "We, like other commercial companies, want to generate money from the products and "
        "services we offer to our customers and clients. We accomplish this by some of the "
        "other tasks listed above, such as developing our products and keeping positive "
        "client connections.",
    ),
}


def _interest(activity: ProcessingActivity) -> tuple[str, str]:
    value = activity.legitimate_interest
    if value in INTEREST_IN_NOTICE:
        return INTEREST_IN_NOTICE[LegitimateInterest(value)]
    return activity.get_legitimate_interest_display(), ""


def service_providers() -> list[dict]:
    """The processor register as the notice reads it: who, what for, which data, where, and
    the safeguard of any place outside the UK."""
    return [
        {
            "name": entry.name,
            "service": entry.service,
            "data": ", ".join(entry.categories),
            "where": entry.places,
            "safeguard": entry.safeguards,
        }
        for entry in processor_register()
    ]


def notice_records() -> dict:
    """The records' part of the notice, as it stands now.

    Three queries: the information types read the data map (no query), then activities, the
    processor register, and the retention policies.
    """
    activities = list(ProcessingActivity.objects.all())
    interests = []
    for activity in activities:
        if activity.legal_basis != LegalBasis.LEGITIMATE_INTERESTS:
            continue
        interest, explanation = _interest(activity)
        interests.append(
            {
                "interest": interest,
                "explanation": explanation,
                "processing": activity.name,
                "balancing": activity.balancing_summary,
            }
        )
    policies = sorted(RetentionPolicy.objects.all(), key=lambda policy: policy.label)
    return {
        "information_types": [
            {"name": t.name, "description": t.description, "source": t.source}
            for t in information_types()
        ],
        "purposes": [
            {
                "name": activity.name,
                "purpose": activity.purpose,
                "legal_basis": activity.get_legal_basis_display(),
            }
            for activity in activities
        ],
        "legitimate_interests": interests,
        "recipients": [
            {"processing": activity.name, "recipients": activity.recipients}
            for activity in activities
        ],
        "service_providers": service_providers(),
        "retention": [
            {"information": policy.label, "kept": policy.kept_for_you} for policy in policies
        ],
    }
