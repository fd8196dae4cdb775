"""One rights request's page in the back office, and the steps taken from it: the workflow
steps, assigning, internal notes, messages to the requester, matching it to accounts. DPO and
support work it; the queue is in dsar.views.queue, the executors in dsar.views.executors."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import AssignForm
from accounts.models import User
from accounts.selectors import actor_decides
from accounts.views.assignment import assign_step
from common.decorators import staff_required
from common.steps import form_step
from dsar.deadlines import MAX_EXTENSION_MONTHS, original_due_date
from dsar.executors.access import live_package
from dsar.forms.backoffice import (
    AskForm,
    CompleteForm,
    EmptyForm,
    ExtendForm,
    LetterChoiceForm,
    MessageForm,
    NoteForm,
    RejectForm,
    ResumeForm,
)
from dsar.forms.complaints import AcknowledgedByHandForm, ComplaintAnswerForm
from dsar.models import OPEN_STATES, RequestEvent, RequestKind, RightsRequest, State
from dsar.progress import next_team_step, request_stages
from dsar.selectors import (
    complaint_acknowledgement_mark,
    complaint_awaits_acknowledgement,
    request_due_mark,
    subject_candidates,
)
from dsar.services.acknowledgement import complaint_acknowledgement_made_by_hand
from dsar.services.complaints import complaint_acknowledge, complaint_answer
from dsar.services.letters import letter_render
from dsar.services.steps import (
    rights_request_ask_requester,
    rights_request_assign,
    rights_request_complete,
    rights_request_extend,
    rights_request_message,
    rights_request_note,
    rights_request_reject,
    rights_request_resume,
    rights_request_start,
    rights_request_view_record,
    rights_request_withdraw,
)
from dsar.services.subjects import rights_request_confirm_subject, rights_request_remove_subject
from dsar.services.timeline import require_decider
from dsar.workflow import ALLOWED, TransitionRefused


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
    decision: bool = False  # the DPO's to take (dsar.services.timeline.require_decider)


STEPS = {
    "start": Step(
        "Start work",
        "Start work on the request",
        EmptyForm,
        State.IN_PROGRESS,
        lambda r, by, d: rights_request_start(request=r, by=by),
        "Work started.",
    ),
    "ask": Step(
        "Ask the requester (pauses the clock)",
        "Send and pause the clock",
        AskForm,
        State.AWAITING_REQUESTER,
        lambda r, by, d: rights_request_ask_requester(request=r, message=d["message"], by=by),
        "Question sent; the time limit is paused until you resume.",
    ),
    "resume": Step(
        "Resume",
        "Resume: the clock runs again",
        ResumeForm,
        State.IN_PROGRESS,
        lambda r, by, d: rights_request_resume(request=r, by=by, body=d["body"]),
        "Resumed; the time limit runs again.",
    ),
    "extend": Step(
        "Extend the time limit",
        "Extend and tell the requester",
        ExtendForm,
        None,
        lambda r, by, d: rights_request_extend(
            request=r, months=d["months"], reason=d["reason"], by=by
        ),
        "Extended; the requester has been told why.",
        decision=True,
    ),
    "complete": Step(
        "Complete",
        "Complete and send the answer",
        CompleteForm,
        State.COMPLETED,
        lambda r, by, d: rights_request_complete(request=r, outcome=d["outcome"], by=by),
        "Completed; the answer has been sent.",
        decision=True,
    ),
    "reject": Step(
        "Reject",
        "Reject the request",
        RejectForm,
        State.REJECTED,
        lambda r, by, d: rights_request_reject(request=r, reason=d["reason"], by=by),
        "Rejected; the requester has been told why and of their right to complain.",
        danger=True,
        decision=True,
    ),
    # Complaints (dsar.services.complaints): acknowledged, then answered with an outcome.
    "acknowledge": Step(
        "Send the acknowledgement",
        "E-mail the acknowledgement now",
        EmptyForm,
        None,
        lambda r, by, d: complaint_acknowledge(request=r, by=by),
        "The acknowledgement is on its way; the complaint shows it as acknowledged once sent.",
    ),
    "acknowledged": Step(
        "Record an acknowledgement made by post or phone",
        "Record the acknowledgement",
        AcknowledgedByHandForm,
        None,
        lambda r, by, d: complaint_acknowledgement_made_by_hand(request=r, by=by, **d),
        "The acknowledgement is recorded.",
    ),
    "answer": Step(
        "Answer the complaint",
        "Send the outcome",
        ComplaintAnswerForm,
        State.COMPLETED,
        lambda r, by, d: complaint_answer(request=r, by=by, **d),
        "Answered; the outcome letter, which names the ICO, has been sent.",
        decision=True,
    ),
    "withdraw": Step(
        "Withdraw",
        "Record that the requester withdrew it",
        EmptyForm,
        State.WITHDRAWN,
        lambda r, by, d: rights_request_withdraw(request=r, by=by),
        "Recorded as withdrawn.",
        danger=True,
    ),
}
COMPLAINT_STEPS = ("acknowledge", "acknowledged", "answer")


def _step_available(slug: str, rights_request: RightsRequest) -> bool:
    """Whether the page offers the step; the service decides again when it is taken."""
    state = rights_request.state
    if slug in (("complete", "reject") if rights_request.is_complaint else COMPLAINT_STEPS):
        return False  # a complaint is answered with an outcome; only a complaint is acknowledged
    if slug in ("acknowledge", "acknowledged"):
        return complaint_awaits_acknowledgement(rights_request, by_email=slug == "acknowledge")
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


def _page_url(rights_request: RightsRequest) -> str:
    return reverse("requests:detail", kwargs={"reference": rights_request.reference})


def _detail(
    request: HttpRequest,
    rights_request: RightsRequest,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    may_decide = actor_decides(request.user)
    letter_form = LetterChoiceForm(request.GET if "letter" in request.GET else None)
    prepared = rights_request.outcome if rights_request.state in OPEN_STATES else ""
    complete_initial = {"outcome": prepared} if prepared else {}
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
        if _step_available(slug, rights_request) and (may_decide or not step.decision)
    ]
    # One primary action: the package while an access request has none, else the workflow
    # step its state calls for; every other step is folded away.
    package = live_package(rights_request)
    next_is_package = (
        rights_request.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY)
        and rights_request.state in (State.VERIFIED, State.IN_PROGRESS)
        and package is None
    )
    next_slug = None if next_is_package else next_team_step(rights_request)
    primary = next((item for item in steps if item["slug"] == next_slug), None)
    others = [item for item in steps if item is not primary]
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
        "stages": request_stages(rights_request, for_requester=False),
        "primary": primary,
        "others": others,
        "next_is_package": next_is_package,
        "live_package": package,
        "may_decide": may_decide,
        "letter_form": letter_form,
        "assign_form": bound.get("assign")
        or AssignForm(initial={"assignee": rights_request.assignee_id}),
        "note_form": bound.get("note") or NoteForm(prefix="note"),
        "message_form": bound.get("message") or MessageForm(prefix="message"),
        "is_open": rights_request.state in OPEN_STATES,
        "acknowledgement_mark": complaint_acknowledgement_mark(rights_request, today),
    }
    # Every display shows a person's data, a re-shown form included.
    rights_request_view_record(request=rights_request, by=request.user)
    return render(request, "dsar/detail.html", context, status=status)


@require_GET
@staff_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, _request_or_404(reference))


def _form_step(request: HttpRequest, rights_request: RightsRequest, slug: str, form, *, run, done):
    """A step from one of the page's forms (``slug`` names it): done, its errors on the form, or
    refused with 409 when the request's state no longer allows it."""

    def on_refusal(error: Exception) -> HttpResponse | None:
        # The service may have changed the request in memory before it refused.
        rights_request.refresh_from_db()
        if isinstance(error, TransitionRefused):
            messages.error(request, " ".join(error.messages))
            return _detail(request, rights_request, status=409)
        return None

    return form_step(
        request,
        form,
        run=run,
        success_message=done,
        redirect_to=_page_url(rights_request),
        render_form=lambda form: _detail(request, rights_request, bound={slug: form}, status=400),
        on_refusal=on_refusal,
    )


@require_POST
@staff_required
def step(request: HttpRequest, reference: str, slug: str) -> HttpResponse:
    rights_request = _request_or_404(reference)
    step = STEPS.get(slug)
    if step is None:
        return render(request, "404.html", status=404)
    if step.decision:
        require_decider(request.user)
    form = step.form(request.POST, prefix=slug)
    return _form_step(
        request,
        rights_request,
        slug,
        form,
        run=lambda: step.run(rights_request, request.user, form.cleaned_data),
        done=step.done,
    )


@require_POST
@staff_required
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    rights_request = _request_or_404(reference)
    return assign_step(
        request,
        assign=lambda colleague: rights_request_assign(
            request=rights_request, assignee=colleague, by=request.user
        ),
        redirect_to=_page_url(rights_request),
    )


@require_POST
@staff_required
def note(request: HttpRequest, reference: str) -> HttpResponse:
    rights_request = _request_or_404(reference)
    form = NoteForm(request.POST, prefix="note")
    return _form_step(
        request,
        rights_request,
        "note",
        form,
        run=lambda: rights_request_note(
            request=rights_request, body=form.cleaned_data["body"], by=request.user
        ),
        done="Internal note added.",
    )


@require_POST
@staff_required
def message(request: HttpRequest, reference: str) -> HttpResponse:
    rights_request = _request_or_404(reference)
    form = MessageForm(request.POST, prefix="message")
    return _form_step(
        request,
        rights_request,
        "message",
        form,
        run=lambda: rights_request_message(
            request=rights_request, body=form.cleaned_data["body"], by=request.user
        ),
        done="Message sent to the requester.",
    )


@require_POST
@staff_required
def subject(request: HttpRequest, reference: str, user_id: int, action: str) -> HttpResponse:
    rights_request = _request_or_404(reference)
    user = get_object_or_404(User, pk=user_id)
    if action == "confirm":
        rights_request_confirm_subject(request=rights_request, user=user, by=request.user)
        messages.success(request, f"Matched to the account {user.email}.")
    else:
        rights_request_remove_subject(request=rights_request, user=user, by=request.user)
        messages.success(request, f"Unmatched from the account {user.email}.")
    return redirect("requests:detail", reference=rights_request.reference)
