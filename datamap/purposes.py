"""The purposes of processing, as the record of processing names them (records/defaults.py
uses these slugs), and the one question every point of processing asks about a person.

They live here, below every app, because the question is asked from ``accounts`` upwards
while the record itself (``records``) sits above most apps. Two answers come from apps that
register them when Django starts (``datamap`` imports no app):

- the legal basis of each purpose, from the record of processing the DPO keeps (``records``);
- the people whose data a purpose must leave alone, from their accounts (``accounts``).
"""

from collections.abc import Callable, Mapping

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from datamap.entries import LegalBasis


class Purpose(models.TextChoices):
    ACCOUNTS = "accounts", "Account administration and access control"
    SECURITY = "security", "Security monitoring and investigations"
    USAGE = "usage", "Usage reports to your employer"
    ANALYTICS = "analytics", "Product analytics, development and testing"
    SUPPORT = "support", "Support enquiries"
    RIGHTS = "rights", "Rights requests"
    COOKIES = "cookies", "Cookies"
    MARKETING = "marketing", "Marketing communications"


# Article 18(2): while processing is restricted, data is only stored, except with the person's
# consent, for legal claims or to protect the rights of others. What stops:
RESTRICTED_PURPOSES = frozenset({Purpose.USAGE, Purpose.ANALYTICS, Purpose.MARKETING})
# And why the others go on (the answer letters quote these).
CONTINUES_UNDER_RESTRICTION = {
    Purpose.ACCOUNTS: "your account keeps working, because you use it yourself",
    Purpose.SECURITY: "we keep watching for suspicious access to protect your employer's data "
    "and other users (the protection of the rights of others)",
    Purpose.SUPPORT: "we answer the support questions you send us, at your request",
    Purpose.RIGHTS: "we handle your rights requests, as the law requires",
    Purpose.COOKIES: "cookies are set only with your consent, as before",
}

# An upheld objection stops these for the person; the software honours each at its points
# of processing (usage reports, aggregates and analytics, the test dataset, marketing sends).
STOPPABLE_ON_OBJECTION = frozenset({Purpose.USAGE, Purpose.ANALYTICS, Purpose.MARKETING})
# Legitimate-interest purposes that go on after an objection, and the grounds the letter gives.
CONTINUES_AFTER_OBJECTION = {
    Purpose.SECURITY: "Security monitoring continues: watching for suspicious access protects "
    "your employer's data and every other user of the product, compelling legitimate grounds "
    "that override an individual objection, and we must keep personal data secure by law.",
    Purpose.SUPPORT: "Support continues for the questions you send us, which we use only to "
    "answer you; to have past enquiries deleted, ask us to erase them.",
}


class _Sources:
    legal_bases: Callable[[], Mapping[str, str]] | None = None
    not_processable: Callable[[str], models.QuerySet] | None = None


_sources = _Sources()


def register_legal_bases(source: Callable[[], Mapping[str, str]]) -> None:
    """``source()`` maps each purpose to the legal basis the record of processing gives it."""
    _sources.legal_bases = source


def register_not_processable(source: Callable[[str], models.QuerySet]) -> None:
    """``source(purpose)`` is a ``values("pk")`` queryset of the users a purpose must skip."""
    _sources.not_processable = source


def _required(source):
    if source is None:
        raise ImproperlyConfigured("The records and accounts apps register the purposes' answers.")
    return source


def purpose_legal_bases() -> Mapping[str, str]:
    """Each purpose's legal basis, as the record of processing gives it."""
    return _required(_sources.legal_bases)()


def legitimate_interest_purposes() -> list[Purpose]:
    """The purposes a person can object to (Article 21(1)), in the record's order."""
    bases = purpose_legal_bases()
    return [p for p in Purpose if bases.get(p.value) == LegalBasis.LEGITIMATE_INTERESTS]


def users_not_processable(purpose: str) -> models.QuerySet:
    """Ids of users whose data ``purpose`` must leave alone: restricted, or objected to it."""
    return _required(_sources.not_processable)(Purpose(purpose))
