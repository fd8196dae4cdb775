"""The DPO's back office for rights requests: the queue, one request's page, logging a request
that arrived by e-mail, phone or post, and the standard letters. DPO and support work it."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import AssignForm
from accounts.models import User
from accounts.selectors import investigators
from common.decorators import staff_required
from common.forms import add_service_errors
from common.paging import page_query
from common.roles import Role
from dsar import services
from dsar.backoffice_forms import (
    AskForm,
    CompleteForm,
    EmptyForm,
    ExtendForm,
    LetterChoiceForm,
    LetterTemplateForm,
    LogRequestForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    RejectForm,
    ResumeForm,
    placeholders_for,
)
from dsar.deadlines import MAX_EXTENSION_MONTHS, original_due_date
from dsar.letters import letter_render
from dsar.models import OPEN_STATES, LetterTemplate, RequestEvent, RightsRequest, State
from dsar.selectors import (
    request_counts_by_state,
    request_due_mark,
    requests_for_queue,
    subject_candidates,
)
from dsar.workflow import ALLOWED, TransitionRefused

PAGE_SIZE = 25


# --- The queue ------------------------------------------------------------------------------


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    staff = list(investigators())
    form = QueueFilterForm(request.GET, staff=staff)
    requests = form.filter(requests_for_queue(), user=request.user)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for rights_request in page:
        rights_request.due_mark = request_due_mark(rights_request, today)
    counts = request_counts_by_state()
    state_query = page_query(request, drop=("page", "state"))
    state_links = [
        (state.value, state.label, counts[state.value], f"?{state_query}state={state.value}")
        for state in State
    ]
    return render(
        request,
        "backoffice/requests/queue.html",
        {
            "form": form,
            "page": page,
            "page_query": page_query(request),
            "state_links": state_links,
            "all_states_link": f"?{state_query}" if state_query else "?",
            "total": sum(counts.values()),
            "current_state": form.cleaned_data.get("state", ""),
        },
    )


# --- Logging a request that arrived by e-mail, phone or post --------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def log_request(request: HttpRequest) -> HttpResponse:
    form = LogRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rights_request = services.rights_request_file(
                kind=data["kind"],
                requester_name=data["requester_name"],
                requester_email=data["requester_email"],
                channel=data["channel"],
                description=data["description"],
                organisation_name=data["organisation_name"],
                filed_by=request.user,
                received_at=form.received_at(),
                # The DPO checked who wrote, phoned or posted it before logging it.
                verified=True,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Logged as {rights_request.reference}; due by {rights_request.due_on:%-d %B %Y}.",
            )
            return redirect("requests:detail", reference=rights_request.reference)
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/requests/new.html", {"form": form}, status=status)


# --- One request's page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A workflow step on the request page: its form, the state it needs, what it calls."""

    title: str
    button: str
    form: type[forms.Form]
    target: str | None  # the state it moves to (None: no transition, e.g. an extension)
    run: Callable[..., object]
    done: str
    danger: bool = False


STEPS = {
    "start": Step(
        "Start work",
        "Start work on the request",
        EmptyForm,
        State.IN_PROGRESS,
        lambda r, by, d: services.rights_request_start(request=r, by=by),
        "Work started.",
    ),
    "ask": Step(
        "Ask the requester (pauses the clock)",
        "Send and pause the clock",
        AskForm,
        State.AWAITING_REQUESTER,
        lambda r, by, d: services.rights_request_ask_requester(
            request=r, message=d["message"], by=by
        ),
        "Question sent; the time limit is paused until you resume.",
    ),
    "resume": Step(
        "Resume",
        "Resume: the clock runs again",
        ResumeForm,
        State.IN_PROGRESS,
        lambda r, by, d: services.rights_request_resume(request=r, by=by, body=d["body"]),
        "Resumed; the time limit runs again.",
    ),
    "extend": Step(
        "Extend the time limit",
        "Extend and tell the requester",
        ExtendForm,
        None,
        lambda r, by, d: services.rights_request_extend(
            request=r, months=d["months"], reason=d["reason"], by=by
        ),
        "Extended; the requester has been told why.",
    ),
    "complete": Step(
        "Complete",
        "Complete and send the answer",
        CompleteForm,
        State.COMPLETED,
        lambda r, by, d: services.rights_request_complete(request=r, outcome=d["outcome"], by=by),
        "Completed; the answer has been sent.",
    ),
    "reject": Step(
        "Reject",
        "Reject the request",
        RejectForm,
        State.REJECTED,
        lambda r, by, d: services.rights_request_reject(request=r, reason=d["reason"], by=by),
        "Rejected; the requester has been told why and of their right to complain.",
        danger=True,
    ),
    "withdraw": Step(
        "Withdraw",
        "Record that the requester withdrew it",
        EmptyForm,
        State.WITHDRAWN,
        lambda r, by, d: services.rights_request_withdraw(request=r, by=by),
        "Recorded as withdrawn.",
        danger=True,
    ),
}


def _step_available(slug: str, rights_request: RightsRequest) -> bool:
    """Whether the page offers the step; the service decides again when it is taken."""
    state = rights_request.state
    if slug == "start":
        return state == State.VERIFIED
    if slug == "resume":
        return state == State.AWAITING_REQUESTER
    if slug == "extend":
        return (
            state in (State.VERIFIED, State.IN_PROGRESS, State.AWAITING_REQUESTER)
            and rights_request.extension_months < MAX_EXTENSION_MONTHS
        )
    return STEPS[slug].target in ALLOWED[State(state)]


def _request_or_404(reference: str) -> RightsRequest:
    return get_object_or_404(
        RightsRequest.objects.select_related("assignee", "filed_by"), reference=reference
    )


def _detail(
    request: HttpRequest,
    rights_request: RightsRequest,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    letter_form = LetterChoiceForm(request.GET if "letter" in request.GET else None)
    complete_initial = {}
    if letter_form.is_bound and letter_form.is_valid():
        template = letter_form.cleaned_data["letter"]
        complete_initial["outcome"] = letter_render(template.key, rights_request)[1]
    steps = [
        {
            "slug": slug,
            "step": step,
            "form": bound.get(slug)
            or step.form(prefix=slug, initial=complete_initial if slug == "complete" else None),
        }
        for slug, step in STEPS.items()
        if _step_available(slug, rights_request)
    ]
    subjects = list(rights_request.subjects.select_related("user__organisation"))
    matched = {subject.user_id for subject in subjects}
    candidates = [user for user in subject_candidates(rights_request) if user.pk not in matched]
    original_due = (
        original_due_date(rights_request.clock_started_on, paused_days=rights_request.paused_days)
        if rights_request.clock_started_on
        else None
    )
    today = timezone.localdate()
    paused_so_far = (today - rights_request.paused_since).days if rights_request.paused_since else 0
    events = list(rights_request.events.all())
    labels = dict(State.choices)
    for event in events:
        event.from_label = labels.get(event.from_state, event.from_state)
        event.to_label = labels.get(event.to_state, event.to_state)
    context = {
        "rights_request": rights_request,
        "max_extension": MAX_EXTENSION_MONTHS,
        "due_mark": request_due_mark(rights_request, today),
        "original_due": original_due,
        "paused_so_far": paused_so_far,
        "events": events,
        "note_kind": RequestEvent.Kind.NOTE,
        "subjects": subjects,
        "candidates": candidates,
        "steps": steps,
        "letter_form": letter_form,
        "assign_form": bound.get("assign")
        or AssignForm(initial={"assignee": rights_request.assignee_id}),
        "note_form": bound.get("note") or NoteForm(prefix="note"),
        "message_form": bound.get("message") or MessageForm(prefix="message"),
        "is_open": rights_request.state in OPEN_STATES,
    }
    # Every display shows a person's data, a re-shown form included.
    services.rights_request_view_record(request=rights_request, by=request.user)
    return render(request, "backoffice/requests/detail.html", context, status=status)


@require_GET
@staff_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, _request_or_404(reference))


def _refused(request: HttpRequest, rights_request: RightsRequest, error: Exception):
    """A step the state does not allow: a clear message, status 409, never a 500."""
    rights_request.refresh_from_db()
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return _detail(request, rights_request, status=409)


@require_POST
@staff_required
def step(request: HttpRequest, reference: str, slug: str) -> HttpResponse:
    rights_request = _request_or_404(reference)
    step = STEPS.get(slug)
    if step is None:
        return render(request, "404.html", status=404)
    form = step.form(request.POST, prefix=slug)
    if form.is_valid():
        try:
            step.run(rights_request, request.user, form.cleaned_data)
        except TransitionRefused as error:
            return _refused(request, rights_request, error)
        except ValidationError as error:
            rights_request.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, step.done)
            return redirect("requests:detail", reference=rights_request.reference)
    return _detail(request, rights_request, bound={slug: form}, status=400)


@require_POST
@staff_required
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    rights_request = _request_or_404(reference)
    data = request.POST.copy()
    if data.get("assignee") == "me":
        data["assignee"] = str(request.user.pk)
    form = AssignForm(data)
    if form.is_valid():
        try:
            services.rights_request_assign(
                request=rights_request, assignee=form.cleaned_data["assignee"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            who = rights_request.assignee
            messages.success(request, f"Assigned to {who.full_name}." if who else "Unassigned.")
    else:
        messages.error(request, "Choose a DPO or support colleague, or nobody.")
    return redirect("requests:detail", reference=rights_request.reference)


def _text_post(request, reference, *, form_class, prefix, run, done):
    rights_request = _request_or_404(reference)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            run(rights_request, form.cleaned_data["body"])
        except TransitionRefused as error:
            return _refused(request, rights_request, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("requests:detail", reference=rights_request.reference)
    return _detail(request, rights_request, bound={prefix: form}, status=400)


@require_POST
@staff_required
def note(request: HttpRequest, reference: str) -> HttpResponse:
    return _text_post(
        request,
        reference,
        form_class=NoteForm,
        prefix="note",
        run=lambda r, body: services.rights_request_note(request=r, body=body, by=request.user),
        done="Internal note added.",
    )


@require_POST
@staff_required
def message(request: HttpRequest, reference: str) -> HttpResponse:
    return _text_post(
        request,
        reference,
        form_class=MessageForm,
        prefix="message",
        run=lambda r, body: services.rights_request_message(request=r, body=body, by=request.user),
        done="Message sent to the requester.",
    )


@require_POST
@staff_required
def subject(request: HttpRequest, reference: str, user_id: int, action: str) -> HttpResponse:
    rights_request = _request_or_404(reference)
    user = get_object_or_404(User, pk=user_id)
    if action == "confirm":
        services.rights_request_confirm_subject(request=rights_request, user=user, by=request.user)
        messages.success(request, f"Matched to the account {user.email}.")
    else:
        services.rights_request_remove_subject(request=rights_request, user=user, by=request.user)
        messages.success(request, f"Unmatched from the account {user.email}.")
    return redirect("requests:detail", reference=rights_request.reference)


# --- Letter templates -----------------------------------------------------------------------


@require_GET
@staff_required
def letters(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/requests/letters.html",
        {"letters": LetterTemplate.objects.all(), "may_edit": request.user.role == Role.DPO},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def letter_edit(request: HttpRequest, key: str) -> HttpResponse:
    if request.user.role != Role.DPO:
        return render(
            request,
            "403.html",
            {"message": "Only the DPO edits the standard letters."},
            status=403,
        )
    template = get_object_or_404(LetterTemplate, key=key)
    # The form validates against a copy: ModelForm writes the new wording onto its instance,
    # and the service must still see the old one to record it.
    form = LetterTemplateForm(
        request.POST or None, instance=LetterTemplate.objects.get(pk=template.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.letter_template_update(
                template=template,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"Letter “{form.cleaned_data['title']}” saved.")
            return redirect(reverse("requests:letters"))
    return render(
        request,
        "backoffice/requests/letter_edit.html",
        {"form": form, "letter": template, "placeholders": placeholders_for(key)},
        status=400 if form.is_bound and form.errors else 200,
    )
