"""The requester's download of an access package, under /rights/status/<token>/package/:
a one-time code e-mailed to the address the request was verified with unlocks it."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common.client_ip import client_ip
from dsar.executors.download import (
    CodeRefused,
    download_code_check,
    download_code_send,
    download_record,
    package_is_expired,
)
from dsar.executors.package_files import package_open
from dsar.selectors import request_from_status_token

PACKAGE_GRANT_SESSION_KEY = "dsar_package_grants"


def _package_of(token: str, package_id: int):
    rights_request = request_from_status_token(token)
    if rights_request is None:
        return None, None
    package = rights_request.packages.filter(pk=package_id).first()
    return rights_request, package


def _expired_page(request: HttpRequest, rights_request, token: str) -> HttpResponse:
    return render(
        request,
        "dsar/rights/package_expired.html",
        {"rights_request": rights_request, "token": token},
        status=410,
    )


@never_cache
@require_POST
def package_code(request: HttpRequest, token: str, package_id: int) -> HttpResponse:
    """E-mail the requester a one-time code to unlock the download."""
    rights_request, package = _package_of(token, package_id)
    if package is None:
        return render(request, "404.html", status=404)
    if package_is_expired(package):
        return _expired_page(request, rights_request, token)
    try:
        sent = download_code_send(package=package)
    except CodeRefused:
        return _expired_page(request, rights_request, token)
    if not sent:
        messages.error(request, "We have sent several codes already. Try again in an hour.")
        return redirect("rights:status", token=token)
    return redirect("rights:package_unlock", token=token, package_id=package.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def package_unlock(request: HttpRequest, token: str, package_id: int) -> HttpResponse:
    """Enter the e-mailed code; the right one unlocks the download in this browser session."""
    rights_request, package = _package_of(token, package_id)
    if package is None:
        return render(request, "404.html", status=404)
    if package_is_expired(package):
        return _expired_page(request, rights_request, token)
    error = ""
    if request.method == "POST":
        try:
            download_code_check(package=package, code=request.POST.get("code", ""))
        except CodeRefused as exc:
            error = str(exc)
        else:
            grants = request.session.get(PACKAGE_GRANT_SESSION_KEY, [])
            request.session[PACKAGE_GRANT_SESSION_KEY] = sorted({*grants, package.pk})
            return redirect("rights:package_download", token=token, package_id=package.pk)
    return render(
        request,
        "dsar/rights/package_unlock.html",
        {"rights_request": rights_request, "package": package, "token": token, "error": error},
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET"])
def package_download(request: HttpRequest, token: str, package_id: int) -> HttpResponse:
    rights_request, package = _package_of(token, package_id)
    if package is None:
        return render(request, "404.html", status=404)
    if package_is_expired(package):
        return _expired_page(request, rights_request, token)
    if package.pk not in request.session.get(PACKAGE_GRANT_SESSION_KEY, []):
        return redirect("rights:package_unlock", token=token, package_id=package.pk)
    try:
        # Streamed from the shared storage: the worker that built it may be on another node.
        handle = package_open(package)
    except FileNotFoundError:
        return _expired_page(request, rights_request, token)
    download_record(package=package, ip_address=client_ip(request))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{rights_request.reference}-your-data.zip",
        content_type="application/zip",
    )
