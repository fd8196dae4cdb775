"""usage's pages: the live report and the aggregates (``reports``), scheduled reports
(``subscriptions``) and CSV exports (``exports``)."""

from usage.views.reports import aggregates, report

__all__ = ["aggregates", "report"]
