"""Back office: the security self-check. DPO and support read the results; the DPO runs it."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from common.decorators import dpo_required, staff_required
from common.roles import Role
from security.models import SecurityCheckRun
from security.selectors import security_check_runs
from security.services.self_check import CHECKS, security_self_check_run

RUNS_SHOWN = 10


@require_GET
@staff_required
def self_check(request: HttpRequest) -> HttpResponse:
    runs = security_check_runs(limit=RUNS_SHOWN)
    return render(
        request,
        "security/self_check.html",
        {
            "latest": runs[0] if runs else None,
            "runs": runs,
            "checks": len(CHECKS),
            "may_run": request.user.role == Role.DPO,
            "backup_hours": settings.SECURITY_BACKUP_MAX_AGE_HOURS,
        },
    )


@require_POST
@dpo_required
def self_check_run(request: HttpRequest) -> HttpResponse:
    run = security_self_check_run(trigger=SecurityCheckRun.Trigger.PERSON, by=request.user)
    if run.passed:
        messages.success(request, "Every security check passed.")
    else:
        failed = len(run.failures)
        messages.error(
            request, f"{failed} security check{'s' if failed != 1 else ''} failed: see below."
        )
    return redirect("security-check:page")
