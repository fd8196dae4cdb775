"""The back office's landing page: the figures that need the privacy team's attention.

Support staff see the request and investigation figures only: the breach register, retention,
the cookie figures and the audit trail are the DPO's (issue 8).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.selectors import audit_latest_verification
from backoffice import selectors
from breaches.selectors import breaches_open_with_clocks
from common.decorators import staff_required
from common.roles import Role
from enquiries.selectors import enquiry_figures
from security.selectors import security_check_latest
from usage.selectors import usage_logging_health

DASHBOARD_BREACHES = 10


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    is_dpo = request.user.role == Role.DPO
    context = {
        "is_dpo": is_dpo,
        "requests": selectors.request_figures(),
        "complaints": selectors.complaint_figures(),
        "investigations": selectors.investigation_figures(),
        "enquiries": enquiry_figures(),
        "security_check": security_check_latest(),
    }
    if is_dpo:
        consent_start, consent_end, consent = selectors.consent_figures()
        # One row more than is shown tells whether there are more, without a COUNT.
        breaches = breaches_open_with_clocks(limit=DASHBOARD_BREACHES + 1)
        context |= {
            "breaches": breaches[:DASHBOARD_BREACHES],
            "more_breaches": len(breaches) > DASHBOARD_BREACHES,
            "purges": selectors.purge_figures(),
            "consent": consent,
            "consent_start": consent_start,
            "consent_end": consent_end,
            "verification": audit_latest_verification(),
            "usage_logging": usage_logging_health(),
            "scheduled_jobs": selectors.scheduled_jobs(),
        }
    return render(request, "backoffice/dashboard.html", context)
