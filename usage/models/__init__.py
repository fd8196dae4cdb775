"""usage's models: events and rollups (``events``), scheduled reports and exports
(``reports``), task sessions (``tasks``). Everything is importable from ``usage.models``."""

from usage.models.events import (
    Action,
    BufferedBatch,
    DailyFeatureUsage,
    DailyUsage,
    DailyUserUsage,
    DeadLetter,
    DirectWriteCount,
    IngestedEventId,
    Rollup,
    UsageDayTouched,
    UsageEvent,
    UsagePurpose,
)
from usage.models.reports import (
    Grouping,
    ReportDelivery,
    ReportDeliveryRecipient,
    ReportDeliverySubject,
    ReportSubscription,
    ReportSubscriptionRecipient,
    UsageExport,
)
from usage.models.tasks import TaskSession

__all__ = [
    "Action",
    "BufferedBatch",
    "DailyFeatureUsage",
    "DailyUsage",
    "DailyUserUsage",
    "DeadLetter",
    "DirectWriteCount",
    "Grouping",
    "IngestedEventId",
    "ReportDelivery",
    "ReportDeliveryRecipient",
    "ReportDeliverySubject",
    "ReportSubscription",
    "ReportSubscriptionRecipient",
    "Rollup",
    "TaskSession",
    "UsageDayTouched",
    "UsageEvent",
    "UsageExport",
    "UsagePurpose",
]
