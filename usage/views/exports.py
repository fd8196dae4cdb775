"""CSV exports of the usage report in the console: requested here, built by a worker, the
status page refreshing itself until the file is ready, then downloaded for 24 hours.

Exports are looked up among those the admin's organisation asked for, of its own report or of
a report it is entitled to as a group company (``usage_exports_openable_by``): another's id
answers 404, and so does the download of one that expired or whose entitlement ended.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors import report_entitlements_of
from common.decorators import client_admin_required
from common.steps import form_step
from usage.forms import ConsoleReportForm
from usage.models import UsageExport
from usage.selectors import usage_exports_of, usage_exports_openable_by
from usage.services.export_files import usage_export_is_downloadable, usage_export_open
from usage.services.exports import usage_export_request

REFRESH_SECONDS = 2


def _own_export(request: HttpRequest, pk: int) -> UsageExport:
    return get_object_or_404(usage_exports_openable_by(request.user), pk=pk)


def _organisation_chosen(own, entitlements, chosen: int | None):
    """The organisation whose report the form chose: the form offered only these."""
    for entitlement in entitlements:
        if entitlement.organisation_id == chosen:
            return entitlement.organisation
    return own


@client_admin_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    own = request.user.organisation
    entitlements = list(report_entitlements_of(own.pk))
    if request.method == "POST":
        form = ConsoleReportForm(request.POST)
    else:
        form = ConsoleReportForm.from_query({})
    form.offer(own, entitlements)

    def render_form(form):
        status = 400 if form.is_bound and request.method == "POST" and form.errors else 200
        return render(
            request,
            "usage/exports.html",
            {
                "form": form,
                "exports": usage_exports_of(request.user),
                "entitled": bool(entitlements),
            },
            status=status,
        )

    return form_step(
        request,
        form,
        run=lambda: usage_export_request(
            organisation=_organisation_chosen(own, entitlements, form.cleaned_data.get("of")),
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            grouping=form.cleaned_data["group_by"],
            by=request.user,
        ),
        success_message="Your export was requested: it is built in the background.",
        redirect_to=lambda export: export.get_absolute_url(),
        render_form=render_form,
        refusals=(ValidationError, PermissionDenied),
    )


@client_admin_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_export(request, pk)
    working = found.status in (UsageExport.Status.QUEUED, UsageExport.Status.BUILDING)
    return render(
        request,
        "usage/export.html",
        {
            "export": found,
            "refresh": REFRESH_SECONDS if working else None,
            "downloadable": usage_export_is_downloadable(found),
        },
    )


@client_admin_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_export(request, pk)
    try:
        # Streamed from the shared storage: the worker that built it may be on another node.
        handle = usage_export_open(export=found, by=request.user)
    except PermissionDenied:
        # The entitlement ended between the lookup and now.
        raise Http404("No export of that organisation is yours to download.") from None
    except FileNotFoundError:
        return render(
            request,
            "404.html",
            {"message": "This export has expired: request a new one."},
            status=404,
        )
    return FileResponse(
        handle, as_attachment=True, filename=found.download_name, content_type="text/csv"
    )
