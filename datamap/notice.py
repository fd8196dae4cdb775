"""The data map's categories as the privacy notice names them: one place for each category's
information type, description and source (section 2, "How we obtain and use your data").

A category the data map gains without words here still appears in the notice, by its label
and the titles of its entries, so the notice never hides data the product holds.
"""

from dataclasses import dataclass

from datamap.entries import Category
from datamap.registry import registry

FROM_YOU_OR_YOUR_COMPANY = (
    "When we set up your account or when you tell us that the information has changed, we get "
    "this information from you or your company."
)


@dataclass(frozen=True)
class InformationType:
    name: str
    description: str
    source: str


INFORMATION_TYPES: dict[Category, InformationType] = {
    Category.CONTACT: InformationType(
        "Information about you and your contact details",
        "Contact information such as your name, e-mail address and job title, and the "
        "e-mails you asked us to send you.",
        FROM_YOU_OR_YOUR_COMPANY,
    ),
    Category.LOGIN: InformationType(
        "Your login details",
        "Your username, password and other information used to control access to the "
        "product, such as your second-factor device and your account's status.",
        FROM_YOU_OR_YOUR_COMPANY,
    ),
    Category.USAGE: InformationType(
        "Use of our product or service",
        "How and when you use the product: the dates and times you accessed it, the IP "
        "address you used, and how you used it when logged in.",
        "This data is gathered via our product monitoring.",
    ),
    Category.SECURITY: InformationType(
        "Security records",
        "Login attempts and sessions, investigations of suspicious activity, and the audit "
        "trail of what our staff did with your data.",
        "Gathered by the product when you or someone else tries to log in, and by our staff "
        "when they act on your account.",
    ),
    Category.ENQUIRY: InformationType(
        "Client requests and general enquiries",
        "What you tell us when you contact us for technical help or any other type of "
        "enquiry, and our replies.",
        "We obtain this information directly from you.",
    ),
    Category.CONSENT: InformationType(
        "Your cookie choices",
        "Which cookies you allowed or refused on our website, when, and under which version "
        "of the cookie policy.",
        "We obtain this information directly from you, on the cookie banner or settings page.",
    ),
    Category.RIGHTS_REQUEST: InformationType(
        "Your data protection requests",
        "The rights requests you make, how we checked your identity, and our answers.",
        "We obtain this information directly from you, or from someone acting for you.",
    ),
}


def information_types() -> list[InformationType]:
    """Every category the data map holds, in the notice's order, as people read it."""
    held: dict[Category, list[str]] = {}
    for entry in registry.entries():
        held.setdefault(entry.category, []).append(entry.title or entry.description)
    types = []
    for category in Category:
        if category not in held:
            continue
        known = INFORMATION_TYPES.get(category)
        types.append(
            known
            or InformationType(
                category.label,
                "; ".join(sorted(held[category])),
                "From you, your company, or the product as you use it.",
            )
        )
    return types
