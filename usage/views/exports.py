"""CSV exports of the usage report in the console: requested here, built by a worker, the
status page refreshing itself until the file is ready, then downloaded for 24 hours.

Exports are looked up within the admin's own organisation: another's id answers 404, and so
does the download of one that expired.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from common.decorators import client_admin_required
from common.steps import form_step
from usage.forms import ReportForm
from usage.models import UsageExport
from usage.selectors import usage_exports_of
from usage.services.export_files import usage_export_is_downloadable, usage_export_open
from usage.services.exports import usage_export_request

REFRESH_SECONDS = 2


def _own_export(request: HttpRequest, pk: int) -> UsageExport:
    return get_object_or_404(
        UsageExport.objects.filter(organisation=request.user.organisation), pk=pk
    )


@client_admin_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST) if request.method == "POST" else ReportForm.from_query({})

    def render_form(form):
        status = 400 if form.is_bound and request.method == "POST" and form.errors else 200
        return render(
            request,
            "usage/exports.html",
            {"form": form, "exports": usage_exports_of(request.user.organisation)},
            status=status,
        )

    return form_step(
        request,
        form,
        run=lambda: usage_export_request(
            organisation=request.user.organisation,
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
