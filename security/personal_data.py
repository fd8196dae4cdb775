"""What security holds about people: login attempts and lockouts, two-step login devices
(authenticator apps, passkeys, backup codes), sessions and investigations.

The entries keep the names they had in accounts ("accounts.sessions"…): access packages, erasure
previews and the record of processing name them, and a name is not a room.
"""

from django.db.models import Q

from datamap import (
    Category,
    Delete,
    Entry,
    LegalBasis,
    Retain,
    exempt,
    register,
    register_credential,
)


def _own(subject):
    return Q(user_id__in=subject.user_ids)


register_credential(
    name="accounts.mfa_devices",
    title="Authenticator apps",
    labels={
        "name": "Name",
        "confirmed": "Set up",
        "created_at": "Added",
        "last_used_at": "Last used",
    },
    model="otp_totp.TOTPDevice",
    category=Category.LOGIN,
    description="Authenticator apps enrolled for two-factor login.",
    subject=_own,
    export_note="The device's secret key is never exported.",
    erasure=Delete(),
)
register_credential(
    name="security.passkeys",
    title="Passkeys",
    labels={"name": "Name", "created_at": "Added", "last_used_at": "Last used"},
    model="django_otp_webauthn.WebAuthnCredential",
    category=Category.LOGIN,
    description=(
        "Passkeys registered for signing in: the name the person gave each, when it was "
        "added and last used, and its public key."
    ),
    subject=_own,
    export_note=(
        "A passkey's public key and identifier are not exported: they prove nothing without "
        "the private key, which never leaves the person's device."
    ),
    erasure=Delete(),
)
register_credential(
    name="security.passkey_attestations",
    title="Passkey attestations",
    labels={"fmt": "Attestation format"},
    model="django_otp_webauthn.WebAuthnAttestation",
    category=Category.LOGIN,
    description="What the device said about itself when each passkey was registered.",
    subject=lambda s: Q(credential__user_id__in=s.user_ids),
    export_note="The attestation's raw data is not exported.",
    erasure=Delete(),
)
register_credential(
    name="security.passkey_user_handles",
    title="Passkey user handle",
    labels={"handle_hex": "User handle"},
    model="django_otp_webauthn.WebAuthnUserHandle",
    category=Category.LOGIN,
    description=(
        "A random identifier the person's passkeys carry instead of their e-mail address."
    ),
    subject=_own,
    erasure=Delete(),
)

for model, what, title in [
    (
        "axes.AccessAttempt",
        "Failed login attempts that count towards a lockout.",
        "Failed logins counted towards a lockout",
    ),
    ("axes.AccessFailureLog", "Each failed login: time, IP address, browser.", "Failed logins"),
    ("axes.AccessLog", "Each successful login and logout: time, IP address, browser.", "Logins"),
]:
    register(
        Entry(
            name=f"accounts.{model.split('.')[1].lower()}",
            model=model,
            category=Category.SECURITY,
            description=what,
            title=title,
            labels={
                "username": "E-mail address used",
                "ip_address": "IP address",
                "user_agent": "Browser",
                "attempt_time": "When",
            },
            subject=lambda s: Q(username__in=s.emails),
            export_fields=("username", "ip_address", "user_agent", "attempt_time"),
            erasure=Delete(),
            retention_category="security_logs",
            retention_field="attempt_time",
            legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
            legal_basis_detail="Monitoring access to keep accounts and systems secure.",
            identifiers={"ip_address": "ip_address"},
        )
    )

register(
    Entry(
        name="accounts.backup_codes",
        title="Backup codes",
        labels={
            "name": "Name",
            "confirmed": "Set up",
        },
        model="security.BackupCodeDevice",
        category=Category.LOGIN,
        description="Single-use backup codes for two-factor login.",
        subject=_own,
        export_fields=("name", "confirmed"),
        export_note="Backup codes are stored as keyed hashes; their values are never exported.",
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Security of data and systems.",
    )
)

register(
    Entry(
        name="accounts.sessions",
        title="Sessions",
        labels={
            "device": "Device",
            "ip_address": "IP address",
            "created_at": "Started",
            "last_seen_at": "Last seen",
            "ended_at": "Ended",
        },
        model="security.UserSession",
        category=Category.LOGIN,
        description="Logged-in sessions: device, IP address, when started and last seen.",
        subject=_own,
        export_fields=("device", "ip_address", "created_at", "last_seen_at", "ended_at"),
        erasure=Delete(),
        retention_category="security_logs",
        retention_field="last_seen_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Monitoring access to keep accounts and systems secure.",
        identifiers={"ip_address": "ip_address"},
    )
)

_INVESTIGATION_KEPT = Retain(
    "Kept while needed to protect the service and to establish or defend legal claims "
    "(Article 17(3)(e)); the retention schedule purges it."
)

register(
    Entry(
        name="accounts.investigations",
        title="Security investigations",
        labels={
            "opened_at": "Opened",
            "rule": "What raised it",
            "severity": "Severity",
            "summary": "Summary",
            "status": "Status",
            "account_suspended": "Account suspended",
            "outcome": "Outcome",
            "closed_at": "Closed",
        },
        model="security.Investigation",
        category=Category.SECURITY,
        description="Investigations of suspicious activity on an account.",
        subject=_own,
        export_fields=(
            "opened_at",
            "rule",
            "severity",
            "summary",
            "status",
            "account_suspended",
            "outcome",
            "closed_at",
        ),
        erasure=_INVESTIGATION_KEPT,
        retention_category="investigations",
        retention_field="opened_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Security of data and systems.",
    )
)

register(
    Entry(
        name="accounts.investigation_notes",
        title="Security investigation notes",
        labels={
            "created_at": "Written",
            "text": "Note",
        },
        model="security.InvestigationNote",
        category=Category.SECURITY,
        description="Notes written while investigating suspicious activity.",
        subject=lambda s: Q(investigation__user_id__in=s.user_ids) | Q(author_id__in=s.user_ids),
        export_fields=("created_at", "text"),
        erasure=_INVESTIGATION_KEPT,
        retention_category="investigations",
        retention_field="created_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Security of data and systems.",
    )
)

register(
    Entry(
        name="security.login_fingerprints",
        title="Places logged in from",
        labels={
            "first_seen_at": "First login from there",
            "last_seen_at": "Last login from there",
        },
        model="security.LoginFingerprint",
        category=Category.SECURITY,
        description=(
            "A keyed hash of the IP address and device of each recent login, so that a login "
            "from somewhere new can be e-mailed to the person. The address itself is not kept."
        ),
        subject=_own,
        export_fields=("first_seen_at", "last_seen_at"),
        export_note="Only a keyed hash of the place is stored; it cannot be read back.",
        erasure=Delete(),
        # Kept with the account: each login forgets the places unused for 90 days, and the
        # newest one stays so that a login after a long absence is still told to the person.
        retention_category="account",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Telling people of logins to their account, to keep it secure.",
    )
)

exempt("security.BackupRecord", "When a backup of the service finished; it names no person.")
exempt(
    "security.SecurityCheckRun",
    "The results of the security self-check; counts and settings, it names no person.",
)
