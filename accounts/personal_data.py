"""What accounts holds about people: contact and login details, lockouts, MFA devices."""

from django.db.models import Q

from datamap import Anonymise, Category, Delete, Entry, LegalBasis, Retain, exempt, register


def _users(subject):
    return Q(pk__in=subject.user_ids) | Q(email__in=subject.emails)


register(
    Entry(
        name="accounts.contact",
        model="accounts.User",
        category=Category.CONTACT,
        description="Name, business e-mail address, job title and employer of each user.",
        subject=_users,
        export_fields=("email", "full_name", "job_title", "organisation__name", "role"),
        erasure=Anonymise(
            {
                "email": lambda user: f"erased-{user.pk}@erased.invalid",
                "full_name": "Erased user",
                "job_title": "",
                "suspended_reason": "",
            }
        ),
        retention_category="account",
        legal_basis=LegalBasis.CONTRACT,
        legal_basis_detail="Needed to provide the service the client contracted for.",
        erasure_order=1000,
    )
)

register(
    Entry(
        name="accounts.login",
        model="accounts.User",
        category=Category.LOGIN,
        description="Account status and login history of each user.",
        subject=_users,
        export_fields=(
            "status",
            "date_joined",
            "last_login",
            "suspended_at",
            "suspended_reason",
            "terminated_at",
        ),
        export_note="A password hash is held; its value is never exported.",
        erasure=Anonymise({"password": "!erased", "last_login": None}),
        retention_category="account",
        legal_basis=LegalBasis.CONTRACT,
        erasure_order=1000,
    )
)

register(
    Entry(
        name="accounts.mfa_devices",
        model="otp_totp.TOTPDevice",
        category=Category.LOGIN,
        description="Authenticator apps enrolled for two-factor login.",
        subject=lambda s: Q(user_id__in=s.user_ids),
        export_fields=("name", "confirmed", "created_at", "last_used_at"),
        export_note="The device's secret key is never exported.",
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Security of data and systems.",
    )
)

for model, what in [
    ("axes.AccessAttempt", "Failed login attempts that count towards a lockout."),
    ("axes.AccessFailureLog", "Each failed login: time, IP address, browser."),
    ("axes.AccessLog", "Each successful login and logout: time, IP address, browser."),
]:
    register(
        Entry(
            name=f"accounts.{model.split('.')[1].lower()}",
            model=model,
            category=Category.SECURITY,
            description=what,
            subject=lambda s: Q(username__in=s.emails),
            export_fields=("username", "ip_address", "user_agent", "attempt_time"),
            erasure=Delete(),
            retention_category="security_logs",
            retention_field="attempt_time",
            legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
            legal_basis_detail="Monitoring access to keep accounts and systems secure.",
        )
    )

register(
    Entry(
        name="accounts.admin_changes",
        model="admin.LogEntry",
        category=Category.SECURITY,
        description="Changes a superuser made in the Django admin.",
        subject=lambda s: Q(user_id__in=s.user_ids),
        export_fields=("action_time", "object_repr", "change_message"),
        erasure=Retain("A record of privileged changes, kept for accountability."),
        retention_category="audit",
        retention_field="action_time",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Security of data and systems.",
    )
)

exempt("accounts.Organisation", "The name is the client company's, not a person's.")
exempt(
    "sessions.Session",
    "Server-side sessions live 12 hours at most and are cleared by clearsessions; "
    "they hold a random key and a user id, never content.",
)
exempt("rest_framework_api_key.APIKey", "A key's name labels an integration, not a person.")
exempt("auth.Group", "A group's name labels a set of permissions, not a person.")
exempt("auth.Permission", "A permission's name describes an action, not a person.")


def _own(subject):
    return Q(user_id__in=subject.user_ids)


register(
    Entry(
        name="accounts.invitations",
        model="accounts.Invitation",
        category=Category.LOGIN,
        description="Invitations sent to join an organisation's account.",
        subject=_own,
        export_fields=("created_at", "expires_at", "accepted_at"),
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.CONTRACT,
    )
)

register(
    Entry(
        name="accounts.email_changes",
        model="accounts.EmailChange",
        category=Category.CONTACT,
        description="Changes of your e-mail address that were asked for, and whether the new "
        "address's owner confirmed them.",
        subject=_own,
        export_fields=("old_email", "new_email", "created_at", "expires_at", "confirmed_at"),
        export_note="The link's secret is never exported.",
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.CONTRACT,
    )
)

register(
    Entry(
        name="accounts.backup_codes",
        model="accounts.BackupCodeDevice",
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
        model="accounts.UserSession",
        category=Category.LOGIN,
        description="Logged-in sessions: device, IP address, when started and last seen.",
        subject=_own,
        export_fields=("device", "ip_address", "created_at", "last_seen_at", "ended_at"),
        erasure=Delete(),
        retention_category="security_logs",
        retention_field="last_seen_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Monitoring access to keep accounts and systems secure.",
    )
)

_INVESTIGATION_KEPT = Retain(
    "Kept while needed to protect the service and to establish or defend legal claims "
    "(Article 17(3)(e)); the retention schedule purges it."
)

register(
    Entry(
        name="accounts.investigations",
        model="accounts.Investigation",
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
        model="accounts.InvestigationNote",
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
        name="accounts.api_keys",
        model="accounts.OrganisationAPIKey",
        category=Category.SECURITY,
        description="API keys a user created or revoked for their organisation.",
        subject=lambda s: Q(created_by_id__in=s.user_ids) | Q(revoked_by_id__in=s.user_ids),
        export_fields=("name", "created", "revoked_at"),
        erasure=Anonymise({"created_by": None, "revoked_by": None}),
        retention_category="account",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Security of data and systems.",
    )
)
