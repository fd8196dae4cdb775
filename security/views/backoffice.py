"""Back office: the investigations queue and one investigation's page (DPO and support)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import AssignForm
from accounts.models import User
from accounts.selectors import actor_decides
from accounts.views.assignment import assign_step
from common.decorators import staff_required
from common.paging import page_query
from common.steps import form_step
from security.models import Investigation
from security.selectors import evidence_rows, investigations_for_queue, outcomes_available
from security.services.investigation_opening import review_window
from security.services.investigations import (
    ESCALATION_DECIDED_BY_DPO,
    THROTTLING_RULE,
    investigation_assign,
    investigation_confirm_suspension,
    investigation_note_add,
    investigation_record_outcome,
    investigation_view_record,
)

PAGE_SIZE = 25
STATUS_FILTERS = [("open", "Open"), ("closed", "Closed"), ("all", "All")]


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the decision in the audit trail.",
    )


class OutcomeForm(ReasonForm):
    outcome = forms.ChoiceField(choices=Investigation.Outcome.choices, widget=forms.HiddenInput)


def _outcome_buttons(investigation: Investigation, by: User) -> list[tuple[str, str]]:
    """The outcome buttons, each worded for what it will do to the account as it is now."""
    user = investigation.user
    suspended = user is not None and user.status == User.Status.SUSPENDED
    words = {
        Investigation.Outcome.CLEARED: (
            "Clear it and reactivate the account"
            if suspended
            else "Clear it and let the IP log in again"
            if investigation.rule == THROTTLING_RULE
            else "Clear it: no action needed"
        ),
        Investigation.Outcome.CONFIRMED_SUSPENDED: "Confirm it and keep the account suspended",
        Investigation.Outcome.CONFIRMED_TERMINATED: "Confirm it and terminate the account",
        Investigation.Outcome.ESCALATED_BREACH: "Escalate it to a personal data breach",
    }
    return [(outcome.value, words[outcome]) for outcome in outcomes_available(investigation, by)]


def _investigation_or_404(pk: int) -> Investigation:
    return get_object_or_404(
        Investigation.objects.select_related(
            "user__organisation", "organisation", "assignee", "closed_by"
        ),
        pk=pk,
    )


def _detail(
    request: HttpRequest,
    investigation: Investigation,
    *,
    note_form: NoteForm | None = None,
    outcome_form: OutcomeForm | None = None,
    confirm_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_open = investigation.status == Investigation.Status.OPEN
    awaiting_review = bool(
        is_open
        and investigation.account_suspended
        and investigation.reviewed_at is None
        and investigation.user is not None
        and investigation.user.status == User.Status.SUSPENDED
    )
    context = {
        "investigation": investigation,
        "rule_label": investigation.rule_label,
        "evidence": evidence_rows(investigation),
        "notes": investigation.notes.select_related("author"),
        "note_form": note_form or NoteForm(),
        "assign_form": AssignForm(initial={"assignee": investigation.assignee_id}),
        "outcome_form": outcome_form or OutcomeForm(prefix="outcome"),
        "confirm_form": confirm_form or ReasonForm(prefix="confirm"),
        "outcome_buttons": _outcome_buttons(investigation, request.user) if is_open else [],
        "awaiting_review": awaiting_review,
        "is_own": investigation.user_id == request.user.pk,
        "is_open": is_open,
    }
    # Every display of the page shows a person's data, a re-shown form included.
    investigation_view_record(investigation=investigation, by=request.user)
    return render(request, "security/investigation_detail.html", context, status=status)


@require_GET
@staff_required
def investigation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    page = Paginator(investigations_for_queue(status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "security/investigation_list.html",
        {
            "page": page,
            "rows": page.object_list,
            "page_query": page_query(request),
            "status": status,
            "status_filters": STATUS_FILTERS,
            "review_hours": int(review_window().total_seconds() // 3600),
        },
    )


@require_GET
@staff_required
def investigation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _investigation_or_404(pk))


def _step(request: HttpRequest, investigation: Investigation, form, *, run, done, bound: str):
    """One recorded step on an investigation, from a form on its page (``bound`` names it)."""
    return form_step(
        request,
        form,
        run=run,
        success_message=done,
        redirect_to=reverse("investigations:detail", kwargs={"pk": investigation.pk}),
        render_form=lambda form: _detail(request, investigation, status=400, **{bound: form}),
    )


@require_POST
@staff_required
def investigation_note(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = _investigation_or_404(pk)
    form = NoteForm(request.POST)
    return _step(
        request,
        investigation,
        form,
        run=lambda: investigation_note_add(
            investigation=investigation, author=request.user, text=form.cleaned_data["text"]
        ),
        done="Note added.",
        bound="note_form",
    )


@require_POST
@staff_required
def investigation_assignee(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = _investigation_or_404(pk)
    return assign_step(
        request,
        assign=lambda colleague: investigation_assign(
            investigation=investigation, assignee=colleague, by=request.user
        ),
        redirect_to=reverse("investigations:detail", kwargs={"pk": investigation.pk}),
    )


@require_POST
@staff_required
def investigation_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = _investigation_or_404(pk)
    form = ReasonForm(request.POST, prefix="confirm")
    return _step(
        request,
        investigation,
        form,
        run=lambda: investigation_confirm_suspension(
            investigation=investigation, by=request.user, reason=form.cleaned_data["reason"]
        ),
        done="Suspension confirmed; the investigation stays open.",
        bound="confirm_form",
    )


@require_POST
@staff_required
def investigation_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = _investigation_or_404(pk)
    escalating = request.POST.get("outcome") == Investigation.Outcome.ESCALATED_BREACH
    if escalating and not actor_decides(request.user):
        raise PermissionDenied(ESCALATION_DECIDED_BY_DPO)
    # The outcome comes from the button pressed, outside the prefix.
    data = request.POST.copy()
    data["outcome-outcome"] = request.POST.get("outcome", "")
    form = OutcomeForm(data, prefix="outcome")
    return _step(
        request,
        investigation,
        form,
        run=lambda: investigation_record_outcome(
            investigation=investigation,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        ),
        done=lambda _: f"Investigation closed: {investigation.get_outcome_display()}.",
        bound="outcome_form",
    )
