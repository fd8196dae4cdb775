from django.db.models import Q

from accounts.organisation_selectors import organisations_of_users
from datamap import Anonymise, Category, Delete, Entry, LegalBasis, Retain, register
from usage.models import Action, Grouping, ReportSubscription, UsageExport


def _own(subject):
    return Q(user_id__in=subject.user_ids)


def _own_in_their_organisation(subject):
    """The subject's rows of a table sharded by organisation, the organisation named (a person
    belongs to one): on Citus the query then goes to that organisation's node alone
    (docs/scaling.md). One query on the accounts to find it, unless the subject carries it."""
    if not subject.user_ids:
        return _own(subject)
    organisations = subject.organisation_ids
    if organisations is None:
        organisations = organisations_of_users(subject.user_ids)
    return Q(organisation_id__in=organisations) & _own(subject)


register(
    Entry(
        name="usage.events",
        title="Usage events",
        labels={
            "occurred_at": "When",
            "action": "Action",
            "feature": "Feature",
            "path": "Page",
            "status_code": "Response code",
            "duration_ms": "Time taken (ms)",
            "purpose": "Purpose",
            "ip_address": "IP address",
            "user_agent_family": "Browser",
        },
        value_labels={"action": dict(Action.choices)},
        model="usage.UsageEvent",
        category=Category.USAGE,
        description="How and when the product was used: time, IP address, browser, "
        "page or feature, purpose.",
        subject=_own_in_their_organisation,
        organisation_field="organisation_id",
        export_fields=(
            "occurred_at",
            "action",
            "feature",
            "path",
            "status_code",
            "duration_ms",
            "purpose",
            "ip_address",
            "user_agent_family",
        ),
        # The counts stay for the client's totals; nothing in them points at the person.
        erasure=Anonymise({"user": None, "ip_address": None, "session_hash": ""}),
        retention_category="usage_events",
        retention_field="occurred_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail=(
            "Reporting usage to the client that employs the user; security of data and systems."
        ),
    )
)

register(
    Entry(
        name="usage.daily",
        title="Daily usage by feature",
        labels={
            "date": "Day",
            "feature": "Feature",
            "purpose": "Purpose",
            "event_count": "Events",
            "total_duration_ms": "Total time (ms)",
        },
        model="usage.DailyUsage",
        category=Category.USAGE,
        description="Daily totals of product use per feature and purpose.",
        subject=_own_in_their_organisation,
        organisation_field="organisation_id",
        export_fields=("date", "feature", "purpose", "event_count", "total_duration_ms"),
        erasure=Anonymise({"user": None}),
        retention_category="usage_rollups",
        retention_field="date",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Reporting usage patterns to the client (frequency, purpose).",
    )
)

register(
    Entry(
        name="usage.daily_per_person",
        title="Daily usage",
        labels={
            "date": "Day",
            "event_count": "Events",
            "total_duration_ms": "Total time (ms)",
        },
        model="usage.DailyUserUsage",
        category=Category.USAGE,
        description="Daily totals of product use per person.",
        subject=_own_in_their_organisation,
        organisation_field="organisation_id",
        export_fields=("date", "event_count", "total_duration_ms"),
        erasure=Anonymise({"user": None}),
        retention_category="usage_rollups",
        retention_field="date",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Reporting usage patterns to the client (frequency, purpose).",
    )
)

register(
    Entry(
        name="usage.task_sessions",
        title="Tasks in the product",
        labels={
            "date": "Day",
            "feature": "Feature",
            "started_at": "Started at",
            "event_count": "Events",
            "duration_ms": "Time on the task (ms)",
            "gathered": "Downloads and exports",
        },
        model="usage.TaskSession",
        category=Category.USAGE,
        description="Runs of your actions on one feature, derived from your usage events: how "
        "long each took and how many downloads or exports it held. Shown only as aggregated "
        "figures in which no person can be picked out.",
        subject=_own_in_their_organisation,
        organisation_field="organisation_id",
        export_fields=("date", "feature", "started_at", "event_count", "duration_ms", "gathered"),
        erasure=Anonymise({"user": None}),
        retention_category="usage_rollups",
        retention_field="date",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Monitoring and improving the product: how long tasks take and the "
        "information users gather, as aggregated, non-personal figures for us and the client.",
    )
)

register(
    Entry(
        name="usage.dead_letters",
        title="Usage events not stored",
        labels={
            "failed_at": "When",
            "reason": "Why",
            "payload": "Event as received",
        },
        model="usage.DeadLetter",
        category=Category.USAGE,
        description="Usage events that could not be stored (for example, holding characters "
        "the database refuses), kept briefly so the cause can be found and fixed.",
        subject=_own,
        export_fields=("failed_at", "reason", "payload"),
        erasure=Delete(),
        retention_category="usage_dead_letters",
        retention_field="failed_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Keeping usage logging working: finding why events were refused.",
    )
)

# Scheduled reports and CSV exports: the "usage_reports" retention category, 365 days from
# the delivery (or the request of an export, or the cancellation of a subscription).
CADENCES = dict(ReportSubscription.Cadence.choices)
GROUPINGS = dict(Grouping.choices)
REPORTS_BASIS = "Reporting usage to the client that employs the users, as the notice says."

register(
    Entry(
        name="usage.report_subscriptions",
        title="Scheduled usage reports you set up",
        labels={
            "created_at": "Set up at",
            "cadence": "How often",
            "grouping": "Grouped by",
            "cancelled_at": "Cancelled at",
        },
        value_labels={"cadence": CADENCES, "grouping": GROUPINGS},
        model="usage.ReportSubscription",
        category=Category.USAGE,
        description="Scheduled usage reports a client admin set up for the organisation.",
        subject=lambda subject: Q(created_by_id__in=subject.user_ids),
        export_fields=("created_at", "cadence", "grouping", "cancelled_at"),
        erasure=Anonymise({"created_by": None, "cancelled_by": None}),
        retention_category="usage_reports",
        retention_field="cancelled_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail=REPORTS_BASIS,
    )
)

register(
    Entry(
        name="usage.report_subscription_recipients",
        title="Scheduled usage reports you receive",
        labels={"subscription__cadence": "How often", "subscription__grouping": "Grouped by"},
        value_labels={"subscription__cadence": CADENCES, "subscription__grouping": GROUPINGS},
        model="usage.ReportSubscriptionRecipient",
        category=Category.USAGE,
        description="Client admins chosen to receive a scheduled usage report.",
        subject=_own,
        export_fields=("subscription__cadence", "subscription__grouping"),
        erasure=Delete(),
        retention_category="usage_reports",
        retention_field="subscription__cancelled_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail=REPORTS_BASIS,
    )
)

register(
    Entry(
        name="usage.report_deliveries",
        title="Usage reports that include you",
        labels={
            "period_start": "From",
            "period_end": "To",
            "grouping": "Grouped by",
            "built_at": "Delivered at",
        },
        value_labels={"grouping": GROUPINGS},
        model="usage.ReportDelivery",
        category=Category.USAGE,
        description="Scheduled usage reports delivered to your employer that include your "
        "usage figures.",
        subject=lambda subject: Q(subjects__user_id__in=subject.user_ids),
        export_fields=("period_start", "period_end", "grouping", "built_at"),
        erasure=Retain(
            "A report already delivered to your employer is the record of that disclosure. It "
            "holds no name or e-mail address, only figures under your account number, and "
            "erasure anonymises the account."
        ),
        retention_category="usage_reports",
        retention_field="built_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail=REPORTS_BASIS,
        joins_many=True,
    )
)

register(
    Entry(
        name="usage.report_delivery_subjects",
        title="Usage reports listing your figures",
        labels={"delivery__period_start": "From", "delivery__period_end": "To"},
        model="usage.ReportDeliverySubject",
        category=Category.USAGE,
        description="Which delivered usage reports include your figures.",
        subject=_own,
        export_fields=("delivery__period_start", "delivery__period_end"),
        erasure=Delete(),
        retention_category="usage_reports",
        retention_field="delivery__built_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail=REPORTS_BASIS,
    )
)

register(
    Entry(
        name="usage.report_delivery_recipients",
        title="Usage reports sent to you",
        labels={
            "delivery__period_start": "Report from",
            "emailed_at": "E-mailed at",
            "first_opened_at": "First opened at",
        },
        model="usage.ReportDeliveryRecipient",
        category=Category.USAGE,
        description="Scheduled usage reports sent to you as a client admin: when the e-mail "
        "went and when you first opened the report.",
        subject=_own,
        export_fields=("delivery__period_start", "emailed_at", "first_opened_at"),
        erasure=Delete(),
        retention_category="usage_reports",
        retention_field="delivery__built_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail=REPORTS_BASIS,
    )
)

register(
    Entry(
        name="usage.exports",
        title="Usage report exports you asked for",
        labels={
            "requested_at": "Asked for at",
            "start": "From",
            "end": "To",
            "grouping": "Grouped by",
            "status": "Status",
        },
        value_labels={"grouping": GROUPINGS, "status": dict(UsageExport.Status.choices)},
        model="usage.UsageExport",
        category=Category.USAGE,
        description="CSV exports of the usage report you asked for as a client admin; each "
        "file is deleted 24 hours after it is ready.",
        subject=lambda subject: Q(requested_by_id__in=subject.user_ids),
        export_fields=("requested_at", "start", "end", "grouping", "status"),
        erasure=Anonymise({"requested_by": None}),
        retention_category="usage_reports",
        retention_field="requested_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail=REPORTS_BASIS,
    )
)
