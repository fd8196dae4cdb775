"""Usage writes. Callers import from here; each concern has its module:
ingestion (``ingest``), daily rollups (``rollups``), disclosures of a report
(``disclosures``), scheduled reports (``subscriptions``) and CSV exports (``exports``)."""

from usage.days import uk_day_bounds
from usage.services.disclosures import usage_report_disclose
from usage.services.ingest import (
    MAX_AGE,
    MAX_BATCH,
    BatchInvalid,
    IngestResult,
    usage_events_ingest,
)
from usage.services.rollups import usage_rollup_day, usage_touched_days_rollup

__all__ = [
    "MAX_AGE",
    "MAX_BATCH",
    "BatchInvalid",
    "IngestResult",
    "uk_day_bounds",
    "usage_events_ingest",
    "usage_report_disclose",
    "usage_rollup_day",
    "usage_touched_days_rollup",
]
