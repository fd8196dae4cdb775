"""The back office's landing page: the figures that need the privacy team's attention.

Support staff see the request and investigation figures only: the breach register, retention,
the cookie figures and the audit trail are the DPO's (issue 8).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backoffice.selectors import dashboard_figures
from common.decorators import staff_required
from common.roles import Role


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    is_dpo = request.user.role == Role.DPO
    context = {"is_dpo": is_dpo, **dashboard_figures(is_dpo=is_dpo)}
    return render(request, "backoffice/dashboard.html", context)
