"""The DPO's executors: what each right does, started from the request's page.

Thin views over dsar/executors/*; every step there is on the timeline and audited.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import actor_decides
from common.decorators import staff_required
from common.steps import button_step, form_step
from dsar.executors import erasure as erasure_executor
from dsar.executors.access import live_package
from dsar.executors.letters import NOT_APPLICABLE_LETTERS, answer_not_applicable
from dsar.executors.rectification import rectification_approve, rectification_reject
from dsar.executors.restriction import (
    objected_purposes,
    objection_decide,
    restriction_apply,
    restriction_lift,
    restriction_lift_notify,
)
from dsar.forms.executors import (
    ErasureApproveForm,
    ObjectionDecisionForm,
    RectificationDecisionForm,
    RestrictionLiftNoticeForm,
)
from dsar.models import RectificationItem, RequestKind, RightsRequest, State
from dsar.services.timeline import require_decider
from dsar.tasks import build_access_package


def _request(reference: str) -> RightsRequest:
    return get_object_or_404(RightsRequest, reference=reference)


def _page_url(rights_request: RightsRequest) -> str:
    return reverse("requests:detail", kwargs={"reference": rights_request.reference})


def _back(rights_request: RightsRequest) -> HttpResponse:
    return redirect(_page_url(rights_request))


def _run(request: HttpRequest, rights_request: RightsRequest, action, success: str):
    return button_step(
        request,
        run=action,
        success_message=success,
        redirect_to=_page_url(rights_request),
        refusals=(ValidationError, PermissionDenied),
    )


def _decider_required(request: HttpRequest) -> None:
    """A decision on the request is the DPO's: support gets a 403 (the page offers it none)."""
    require_decider(request.user)


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
    if live_package(rights_request) is not None:
        messages.info(request, "A package is ready already: the requester can download it.")
        return _back(rights_request)
    build_access_package.delay_on_commit(rights_request.pk, request.user.pk)
    messages.success(
        request,
        "The access package is being built. Once it is ready it is listed here and the "
        "requester is e-mailed that their data is ready.",
    )
    return _back(rights_request)


@require_POST
@staff_required
def not_applicable(request: HttpRequest, reference: str) -> HttpResponse:
    rights_request = _request(reference)
    _kind_required(rights_request, *NOT_APPLICABLE_LETTERS)
    _decider_required(request)
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
    _decider_required(request)
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
    if request.method == "POST":
        _decider_required(request)
    asked = request.GET.get("terminate") == "1"
    form = ErasureApproveForm(
        request.POST or None, user=request.user, initial={"terminate_account": asked}
    )

    def page(form: ErasureApproveForm) -> HttpResponse:
        # Shown again after a POST, the preview follows the box as it was posted.
        posted = request.method == "POST"
        terminate = bool(form.data.get("terminate_account")) if posted else asked
        preview = erasure_executor.erasure_preview(
            request=rights_request, terminate_account=terminate
        )
        return render(
            request,
            "dsar/executors/erasure.html",
            {
                "rights_request": rights_request,
                "preview": preview,
                "terminate": terminate,
                "form": form,
                "has_subjects": rights_request.subjects.exists(),
                "may_decide": actor_decides(request.user),
            },
            status=400 if request.method == "POST" else 200,
        )

    return form_step(
        request,
        form,
        run=lambda: erasure_executor.erasure_run(
            request=rights_request,
            terminate_account=form.cleaned_data["terminate_account"],
            by=request.user,
        ),
        success_message="Erasure done: the result report is on the request's timeline.",
        redirect_to=_page_url(rights_request),
        render_form=page,
        refusals=(ValidationError, PermissionDenied),
    )


@require_POST
@staff_required
def restriction(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    rights_request = _request(reference)
    _kind_required(rights_request, RequestKind.RESTRICTION, RequestKind.OBJECTION)
    _decider_required(request)
    if action == "apply":
        return _run(
            request,
            rights_request,
            lambda: restriction_apply(request=rights_request, by=request.user),
            "Processing is restricted for the matched account(s).",
        )
    if action == "notify":
        form = RestrictionLiftNoticeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give the reason the restriction will be lifted.")
            return _back(rights_request)
        return _run(
            request,
            rights_request,
            lambda: restriction_lift_notify(
                request=rights_request, reason=form.cleaned_data["reason"], by=request.user
            ),
            "The person is told the restriction will be lifted; you can lift it now.",
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
    _decider_required(request)
    form = ObjectionDecisionForm(request.POST or None, objected=objected_purposes(rights_request))

    def page(form: ObjectionDecisionForm) -> HttpResponse:
        return render(
            request,
            "dsar/executors/objection.html",
            {"rights_request": rights_request, "form": form},
            status=400 if request.method == "POST" else 200,
        )

    return form_step(
        request,
        form,
        run=lambda: objection_decide(
            request=rights_request,
            stop=form.cleaned_data["stop"],
            reasons=form.cleaned_data["reasons"],
            restrict=form.cleaned_data["restrict"],
            by=request.user,
        ),
        success_message=lambda decided: (
            "The reassessment is recorded and the requester told."
            if decided.state == State.COMPLETED
            else "The reassessment is recorded and the recipients told of the restriction. "
            "Complete the request, with the answer ready, once they have confirmed."
        ),
        redirect_to=_page_url(rights_request),
        render_form=page,
        refusals=(ValidationError, PermissionDenied),
    )
