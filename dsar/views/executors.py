"""The DPO's executors: what each right does, started from the request's page.

Thin views over dsar/executors/*; every step there is on the timeline and audited.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common.client_ip import client_ip
from common.decorators import staff_required
from common.forms import error_text
from dsar.executor_forms import (
    ErasureApproveForm,
    ObjectionDecisionForm,
    RectificationDecisionForm,
)
from dsar.executors import erasure as erasure_executor
from dsar.executors.access import package_path
from dsar.executors.download import (
    CodeRefused,
    download_code_check,
    download_code_send,
    download_record,
    package_is_expired,
)
from dsar.executors.letters import NOT_APPLICABLE_LETTERS, answer_not_applicable
from dsar.executors.rectification import rectification_approve, rectification_reject
from dsar.executors.restriction import objection_decide, restriction_apply, restriction_lift
from dsar.models import RectificationItem, RequestKind, RightsRequest
from dsar.selectors import request_from_status_token
from dsar.tasks import build_access_package


def _request(reference: str) -> RightsRequest:
    return get_object_or_404(RightsRequest, reference=reference)


def _back(rights_request: RightsRequest) -> HttpResponse:
    return redirect("requests:detail", reference=rights_request.reference)


def _run(request: HttpRequest, rights_request: RightsRequest, action, success: str):
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc, "That step is not allowed."))
    else:
        messages.success(request, success)
    return _back(rights_request)


def _kind_required(rights_request: RightsRequest, *kinds) -> None:
    if rights_request.kind not in kinds:
        raise PermissionDenied("This step does not apply to this kind of request.")


@require_POST
@staff_required
def build_package(request: HttpRequest, reference: str) -> HttpResponse:
    rights_request = _request(reference)
    _kind_required(rights_request, RequestKind.ACCESS, RequestKind.PORTABILITY)
    if not rights_request.is_open:
        messages.error(request, "The request is closed.")
        return _back(rights_request)
    build_access_package.delay_on_commit(rights_request.pk, request.user.pk)
    messages.success(
        request, "The access package is being built; it appears here when it is ready."
    )
    return _back(rights_request)


@require_POST
@staff_required
def not_applicable(request: HttpRequest, reference: str) -> HttpResponse:
    rights_request = _request(reference)
    _kind_required(rights_request, *NOT_APPLICABLE_LETTERS)
    return _run(
        request,
        rights_request,
        lambda: answer_not_applicable(request=rights_request, by=request.user),
        "The request is answered with the standard letter and completed.",
    )


@require_POST
@staff_required
def rectification(request: HttpRequest, reference: str, item_id: int) -> HttpResponse:
    rights_request = _request(reference)
    item = get_object_or_404(RectificationItem, pk=item_id, request=rights_request)
    form = RectificationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(rights_request)
    if form.cleaned_data["decision"] == "approve":
        return _run(
            request,
            rights_request,
            lambda: rectification_approve(item=item, by=request.user),
            f"The correction of {item.field} is approved and applied.",
        )
    return _run(
        request,
        rights_request,
        lambda: rectification_reject(
            item=item, reason=form.cleaned_data["reason"], by=request.user
        ),
        f"The correction of {item.field} is rejected.",
    )


@require_http_methods(["GET", "POST"])
@staff_required
def erasure(request: HttpRequest, reference: str) -> HttpResponse:
    """The preview (what goes, what stays and why) and the approval, with the password again."""
    rights_request = _request(reference)
    _kind_required(rights_request, RequestKind.ERASURE, RequestKind.OBJECTION)
    terminate = request.GET.get("terminate") == "1"
    form = ErasureApproveForm(
        request.POST or None, user=request.user, initial={"terminate_account": terminate}
    )
    if request.method == "POST":
        if form.is_valid():
            terminate = form.cleaned_data["terminate_account"]
            try:
                erasure_executor.erasure_run(
                    request=rights_request, terminate_account=terminate, by=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc, "That step is not allowed."))
            else:
                messages.success(
                    request, "Erasure done: the result report is on the request's timeline."
                )
                return _back(rights_request)
        terminate = bool(form.data.get("terminate_account"))
    preview = erasure_executor.erasure_preview(request=rights_request, terminate_account=terminate)
    return render(
        request,
        "backoffice/requests/executors/erasure.html",
        {
            "rights_request": rights_request,
            "preview": preview,
            "terminate": terminate,
            "form": form,
            "has_subjects": rights_request.subjects.exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_required
def restriction(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    rights_request = _request(reference)
    _kind_required(rights_request, RequestKind.RESTRICTION, RequestKind.OBJECTION)
    if action == "apply":
        return _run(
            request,
            rights_request,
            lambda: restriction_apply(request=rights_request, by=request.user),
            "Processing is restricted for the matched account(s).",
        )
    if action == "lift":
        return _run(
            request,
            rights_request,
            lambda: restriction_lift(request=rights_request, by=request.user),
            "The restriction is lifted.",
        )
    return render(request, "404.html", status=404)


@require_http_methods(["GET", "POST"])
@staff_required
def objection(request: HttpRequest, reference: str) -> HttpResponse:
    rights_request = _request(reference)
    _kind_required(rights_request, RequestKind.OBJECTION)
    form = ObjectionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection_decide(
                request=rights_request,
                outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"],
                restrict=form.cleaned_data["restrict"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc, "That step is not allowed."))
        else:
            messages.success(request, "The reassessment is recorded and the requester told.")
            return _back(rights_request)
    return render(
        request,
        "backoffice/requests/executors/objection.html",
        {"rights_request": rights_request, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- The requester's download, under /rights/status/<token>/package/ ------------------------

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
        "rights/package_expired.html",
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
        "rights/package_unlock.html",
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
    path = package_path(package)
    if not path.exists():
        return _expired_page(request, rights_request, token)
    download_record(package=package, ip_address=client_ip(request))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{rights_request.reference}-your-data.zip",
        content_type="application/zip",
    )
