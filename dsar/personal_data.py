"""Rights requests are personal data themselves, with their own retention category."""

from django.db.models import Q

from datamap import Category, Entry, LegalBasis, Retain, exempt, register

_KEPT = Retain(
    "The record of a rights request and how it was answered is kept to show the request was "
    "handled lawfully (UK GDPR Article 5(2)); the retention schedule purges it."
)


def _requests_via(path: str):
    """The subject's requests, reached from another model through ``path`` (e.g. "request__")."""

    def rows(subject):
        return Q(**{f"{path}requester_email__in": subject.emails}) | Q(
            **{f"{path}subjects__user_id__in": subject.user_ids}
        )

    return rows


register(
    Entry(
        name="dsar.requests",
        title="Rights requests",
        labels={
            "reference": "Reference",
            "kind": "Request",
            "state": "Status",
            "received_at": "Received",
            "due_on": "Due by",
            "requester_name": "Name",
            "requester_email": "E-mail address",
            "description": "What you wrote",
            "outcome": "Outcome",
            "acknowledged_at": "Complaint acknowledged",
            "complaint_outcome": "Complaint outcome",
        },
        model="dsar.RightsRequest",
        category=Category.RIGHTS_REQUEST,
        description="Rights requests and complaints you made: type, dates, what you wrote, "
        "the answer (for a complaint, when we acknowledged it and whether we upheld it).",
        subject=_requests_via(""),
        export_fields=(
            "reference",
            "kind",
            "state",
            "received_at",
            "due_on",
            "requester_name",
            "requester_email",
            "description",
            "outcome",
            "acknowledged_at",
            "complaint_outcome",
        ),
        erasure=_KEPT,
        retention_category="rights_requests",
        retention_field="closed_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Answering data-protection rights requests.",
        joins_many=True,
    )
)

register(
    Entry(
        name="dsar.messages",
        title="Rights request history",
        labels={
            "request__reference": "Request",
            "at": "When",
            "kind": "What happened",
            "body": "Details",
        },
        model="dsar.RequestEvent",
        category=Category.RIGHTS_REQUEST,
        description="The history of your rights requests and the messages about them.",
        subject=lambda s: _requests_via("request__")(s) & Q(visible_to_requester=True),
        export_fields=("request__reference", "at", "kind", "body"),
        erasure=_KEPT,
        retention_category="rights_requests",
        retention_field="at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Answering data-protection rights requests.",
        joins_many=True,
    )
)

register(
    Entry(
        name="dsar.packages",
        title="Copies of your data",
        labels={
            "request__reference": "Request",
            "created_at": "Prepared",
            "sha256": "Checksum (SHA-256)",
            "expires_at": "Available until",
        },
        model="dsar.AccessPackage",
        category=Category.RIGHTS_REQUEST,
        description="Copies of your data we prepared for you to download.",
        subject=_requests_via("request__"),
        export_fields=("request__reference", "created_at", "sha256", "expires_at"),
        erasure=Retain(
            "The record that a copy of your data was prepared is kept with the request; "
            "the file itself is deleted."
        ),
        retention_category="rights_requests",
        retention_field="created_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Answering data-protection rights requests.",
        joins_many=True,
    )
)

register(
    Entry(
        name="dsar.package_downloads",
        title="Downloads of your data",
        labels={
            "at": "When",
            "ip_address": "IP address",
        },
        model="dsar.PackageDownload",
        category=Category.RIGHTS_REQUEST,
        description="When a copy of your data was downloaded, and from which IP address.",
        subject=_requests_via("package__request__"),
        export_fields=("at", "ip_address"),
        erasure=_KEPT,
        retention_category="rights_requests",
        retention_field="at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Showing who received a copy of personal data.",
        joins_many=True,
    )
)

register(
    Entry(
        name="dsar.request_subjects",
        title="Accounts matched to requests",
        labels={
            "request__reference": "Request",
            "confirmed_at": "Confirmed",
        },
        model="dsar.RequestSubject",
        category=Category.RIGHTS_REQUEST,
        description="Which of your accounts a rights request was matched to.",
        subject=lambda s: Q(user_id__in=s.user_ids),
        export_fields=("request__reference", "confirmed_at"),
        erasure=_KEPT,
        retention_category="rights_requests",
        retention_field="confirmed_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Answering data-protection rights requests.",
    )
)

register(
    Entry(
        name="dsar.rectifications",
        title="Corrections asked for",
        labels={
            "request__reference": "Request",
            "field": "Detail",
            "proposed_value": "Proposed value",
            "decision": "Decision",
        },
        model="dsar.RectificationItem",
        category=Category.RIGHTS_REQUEST,
        description="Corrections you asked for, and what we decided.",
        subject=_requests_via("request__"),
        export_fields=("request__reference", "field", "proposed_value", "decision"),
        erasure=_KEPT,
        retention_category="rights_requests",
        retention_field="decided_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Answering data-protection rights requests.",
        joins_many=True,
    )
)

exempt(
    "dsar.LetterTemplate",
    "Standard letter text the DPO writes, with placeholders; it names no person.",
)
