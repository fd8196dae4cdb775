"""What accounts holds about people: contact details, account status, invitations, API keys."""

from django.db.models import Q

from datamap import (
    Anonymise,
    Category,
    Delete,
    Entry,
    LegalBasis,
    Retain,
    exempt,
    register,
    register_credential,
)
from datamap.purposes import Purpose


def _users(subject):
    return Q(pk__in=subject.user_ids) | Q(email__in=subject.emails)


register(
    Entry(
        name="accounts.contact",
        title="Contact details",
        labels={
            "email": "E-mail address",
            "full_name": "Name",
            "job_title": "Job title",
            "organisation__name": "Employer",
            "role": "Role",
        },
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
        identifiers={"email": "email", "full_name": "name"},
    )
)

register(
    Entry(
        name="accounts.login",
        title="Account status",
        labels={
            "status": "Status",
            "date_joined": "Joined",
            "last_login": "Last signed in",
            "suspended_at": "Suspended at",
            "suspended_reason": "Reason for suspension",
            "terminated_at": "Closed at",
            "processing_restricted_at": "Processing restricted since",
        },
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
            "processing_restricted_at",
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
        name="accounts.admin_changes",
        title="Changes made in the admin site",
        labels={
            "action_time": "When",
            "object_repr": "What was changed",
            "change_message": "Change",
        },
        model="admin.LogEntry",
        category=Category.SECURITY,
        description="Changes a superuser made in the Django admin.",
        subject=lambda s: Q(user_id__in=s.user_ids),
        export_fields=("action_time", "object_repr", "change_message"),
        erasure=Retain("A record of privileged changes, kept for accountability."),
        retention_category="admin_log",
        retention_field="action_time",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Security of data and systems.",
    )
)

exempt(
    "accounts.Organisation",
    "The name is the client company's, not a person's; closed_by names the staff member who "
    "closed it, kept with the audit trail as accountability.",
)
exempt(
    "sessions.Session",
    "Server-side sessions live 12 hours at most and are cleared by clearsessions; "
    "they hold a random key and a user id, never content.",
)
exempt(
    "accounts.GroupCompany",
    "Links two client companies; recorded_by and ended_by name the staff members who recorded "
    "and ended it, kept with the audit trail as accountability for who may receive reports.",
)
exempt("rest_framework_api_key.APIKey", "A key's name labels an integration, not a person.")
exempt("auth.Group", "A group's name labels a set of permissions, not a person.")
exempt("auth.Permission", "A permission's name describes an action, not a person.")


def _own(subject):
    return Q(user_id__in=subject.user_ids)


register(
    Entry(
        name="accounts.invitations",
        title="Invitations",
        labels={
            "created_at": "Sent",
            "expires_at": "Valid until",
            "accepted_at": "Accepted",
            "expired_at": "Expired",
        },
        model="accounts.Invitation",
        category=Category.LOGIN,
        description="Invitations sent to join an organisation's account.",
        subject=_own,
        export_fields=("created_at", "expires_at", "accepted_at", "expired_at"),
        erasure=Delete(),
        # An expired invitation is kept a while to answer "I never got the link", then deleted;
        # an accepted one has no expired_at and goes with the account.
        retention_category="invitations",
        retention_field="expired_at",
        legal_basis=LegalBasis.CONTRACT,
    )
)

register(
    Entry(
        name="accounts.email_changes",
        title="E-mail address changes",
        labels={
            "old_email": "Old address",
            "new_email": "New address",
            "created_at": "Asked for",
            "expires_at": "Link valid until",
            "confirmed_at": "Confirmed",
        },
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


def organisation_credential(*, name: str, title: str, model: str, description: str) -> Entry:
    """Register a credential an organisation's systems use (API keys, SCIM tokens): who made
    or revoked it is their data; erasure removes the link to them, the credential stays."""
    return register_credential(
        name=name,
        title=title,
        labels={"name": "Name", "created": "Created", "revoked_at": "Revoked"},
        model=model,
        category=Category.SECURITY,
        description=description,
        subject=lambda s: Q(created_by_id__in=s.user_ids) | Q(revoked_by_id__in=s.user_ids),
        erasure=Anonymise({"created_by": None, "revoked_by": None}),
    )


organisation_credential(
    name="accounts.api_keys",
    title="API keys",
    model="accounts.OrganisationAPIKey",
    description="API keys a user created or revoked for their organisation.",
)

register(
    Entry(
        name="accounts.objections",
        title="Objections upheld",
        labels={
            "purpose": "Use of your data you objected to",
            "upheld_at": "Upheld",
            "request_reference": "Request reference",
        },
        value_labels={"purpose": dict(Purpose.choices)},
        model="accounts.PurposeObjection",
        category=Category.RIGHTS_REQUEST,
        description="The uses of your data you objected to and that we stopped.",
        subject=lambda s: Q(user_id__in=s.user_ids),
        export_fields=("purpose", "upheld_at", "request_reference"),
        erasure=Delete(),
        retention_category="account",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="We must keep honouring an objection we upheld (Article 21).",
        erasure_order=10,
    )
)
