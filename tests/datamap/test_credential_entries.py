"""The credentials people sign in or connect with (passkeys, authenticator apps, API keys,
provisioning tokens) are declared through one helper; what the record of processing, the
access export and erasure read of them must not change with that."""

import pytest
from django.db.models import Q

from datamap import Anonymise, Category, Delete, LegalBasis, Subject, registry

SUBJECT = Subject.of(user_ids=[1, 2], emails=["ada@example.test"])
USERS = frozenset({1, 2})
MADE_OR_REVOKED_BY_THEM = Q(created_by_id__in=USERS) | Q(revoked_by_id__in=USERS)
ORGANISATION_CREDENTIAL = {
    "category": Category.SECURITY,
    "labels": {"name": "Name", "created": "Created", "revoked_at": "Revoked"},
    "export_fields": ("name", "created", "revoked_at"),
    "erasure": Anonymise({"created_by": None, "revoked_by": None}),
    "export_note": "",
}

EXPECTED = {
    "accounts.api_keys": {
        **ORGANISATION_CREDENTIAL,
        "title": "API keys",
        "model": "accounts.OrganisationAPIKey",
        "description": "API keys a user created or revoked for their organisation.",
        "subject": MADE_OR_REVOKED_BY_THEM,
    },
    "scim.tokens": {
        **ORGANISATION_CREDENTIAL,
        "title": "Provisioning tokens",
        "model": "scim.ScimToken",
        "description": (
            "Provisioning (SCIM) tokens a user created or revoked for their organisation."
        ),
        "subject": MADE_OR_REVOKED_BY_THEM,
    },
    "accounts.mfa_devices": {
        "title": "Authenticator apps",
        "model": "otp_totp.TOTPDevice",
        "description": "Authenticator apps enrolled for two-factor login.",
        "category": Category.LOGIN,
        "labels": {
            "name": "Name",
            "confirmed": "Set up",
            "created_at": "Added",
            "last_used_at": "Last used",
        },
        "export_fields": ("name", "confirmed", "created_at", "last_used_at"),
        "erasure": Delete(),
        "subject": Q(user_id__in=USERS),
        "export_note": "The device's secret key is never exported.",
    },
    "security.passkeys": {
        "title": "Passkeys",
        "model": "django_otp_webauthn.WebAuthnCredential",
        "description": (
            "Passkeys registered for signing in: the name the person gave each, when it was "
            "added and last used, and its public key."
        ),
        "category": Category.LOGIN,
        "labels": {"name": "Name", "created_at": "Added", "last_used_at": "Last used"},
        "export_fields": ("name", "created_at", "last_used_at"),
        "erasure": Delete(),
        "subject": Q(user_id__in=USERS),
        "export_note": (
            "A passkey's public key and identifier are not exported: they prove nothing "
            "without the private key, which never leaves the person's device."
        ),
    },
    "security.passkey_attestations": {
        "title": "Passkey attestations",
        "model": "django_otp_webauthn.WebAuthnAttestation",
        "description": "What the device said about itself when each passkey was registered.",
        "category": Category.LOGIN,
        "labels": {"fmt": "Attestation format"},
        "export_fields": ("fmt",),
        "erasure": Delete(),
        "subject": Q(credential__user_id__in=USERS),
        "export_note": "The attestation's raw data is not exported.",
    },
    "security.passkey_user_handles": {
        "title": "Passkey user handle",
        "model": "django_otp_webauthn.WebAuthnUserHandle",
        "description": (
            "A random identifier the person's passkeys carry instead of their e-mail address."
        ),
        "category": Category.LOGIN,
        "labels": {"handle_hex": "User handle"},
        "export_fields": ("handle_hex",),
        "erasure": Delete(),
        "subject": Q(user_id__in=USERS),
        "export_note": "",
    },
}


@pytest.mark.parametrize("name", EXPECTED)
def test_a_credential_entry_says_what_it_always_said(name):
    entry = registry.entry(name)
    expected = EXPECTED[name]

    seen = {field: getattr(entry, field) for field in expected if field != "subject"}
    assert seen == {field: value for field, value in expected.items() if field != "subject"}
    assert entry.subject(SUBJECT) == expected["subject"]


@pytest.mark.parametrize("name", EXPECTED)
def test_a_credential_is_kept_with_the_account_for_the_security_of_data_and_systems(name):
    entry = registry.entry(name)

    assert entry.retention_category == "account"
    assert entry.retention_field is None
    assert entry.legal_basis == LegalBasis.LEGITIMATE_INTERESTS
    assert entry.legal_basis_detail == "Security of data and systems."
    assert (entry.erasure_order, entry.joins_many, entry.organisation_field) == (100, False, "")
    assert (entry.value_labels, entry.extra, entry.identifiers) == ({}, {}, {})
