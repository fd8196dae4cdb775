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
