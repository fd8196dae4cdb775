"""The data map: every model that holds personal data, declared once by the app that owns it.

Apps declare entries in their ``personal_data.py``; ``DatamapConfig.ready`` imports those
modules. Everything privacy-related (access exports, erasure, retention, the record of
processing) reads this registry, never a hand-kept list. This package imports no app.
"""

from datamap.entries import (
    Anonymise,
    Category,
    Delete,
    Entry,
    Identifiers,
    LegalBasis,
    Redact,
    Retain,
    Subject,
)
from datamap.registry import exempt, register, register_credential, registry

__all__ = [
    "Anonymise",
    "Category",
    "Delete",
    "Entry",
    "Identifiers",
    "LegalBasis",
    "Redact",
    "Retain",
    "Subject",
    "exempt",
    "register",
    "register_credential",
    "registry",
]
