"""The requester's side of rights requests: the public form, the verification link, the status
page (signed link) with replies and withdrawal, and filing from the account page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common.client_ip import client_ip
from dsar.forms.intake import (
    HONEYPOT_FIELD,
    AccountRequestForm,
    CorrectionsForm,
    NewLinkForm,
    PublicRequestForm,
    ReplyForm,
    kinds_with_help,
)
from dsar.models import Channel, RequestEvent, RightsRequest, State
from dsar.progress import REQUESTER_STATE, request_stages, requester_state
from dsar.selectors import next_step, request_from_status_token, requests_of_user, status_token
from dsar.services.filing import rights_request_send_new_link, rights_request_verify
from dsar.services.intake import (
    intake_allowed,
    new_link_allowed,
    rate_limited_message,
    reference_from_submitted_token,
    requester_events,
    rights_request_intake,
    submitted_token,
)
from dsar.services.steps import rights_request_requester_reply, rights_request_withdraw
from dsar.workflow import TransitionRefused
from recipients.selectors import notices_of_request

# --- Filing ---------------------------------------------------------------------------------


def _forms(request: HttpRequest, form_class):
    if request.method == "POST":
        form = form_class(request.POST)
        corrections = CorrectionsForm(request.POST, kind=request.POST.get("kind"))
    else:
        kind = request.GET.get("kind", "")
        form = form_class(initial={"kind": kind})
        corrections = CorrectionsForm(kind=kind)
    return form, corrections


def _form_context(form, corrections, **extra) -> dict:
    return {"form": form, "corrections": corrections, "kinds": kinds_with_help(), **extra}


@never_cache
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """The public form: no account needed."""
    form, corrections = _forms(request, PublicRequestForm)
    status = 200
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            # A bot filled the field people cannot see: look accepted, file nothing.
            return redirect("rights:submitted")
        if form.is_valid() & corrections.is_valid():
            data = form.cleaned_data
            if intake_allowed(ip_address=client_ip(request), email=data["requester_email"]):
                rights_request = rights_request_intake(
                    kind=data["kind"],
                    requester_name=data["requester_name"],
                    requester_email=data["requester_email"],
                    description=data["description"],
                    organisation_name=data["organisation_name"],
                    channel=Channel.WEB_FORM,
                    corrections=corrections.items(),
                    objection_purposes=data["objection_purposes"],
                )
                url = reverse("rights:submitted")
                return redirect(f"{url}?ref={submitted_token(rights_request)}")
            # The same message whichever limit was reached: it says nothing about the address.
            form.add_error(None, rate_limited_message())
            status = 429
        else:
            status = 400
    context = _form_context(form, corrections)
    return render(request, "dsar/rights/new.html", context, status=status)


@never_cache
def submitted(request: HttpRequest) -> HttpResponse:
    reference = reference_from_submitted_token(request.GET.get("ref", ""))
    return render(request, "dsar/rights/submitted.html", {"reference": reference})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_rights(request: HttpRequest) -> HttpResponse:
    """A logged-in user files for themselves (verified at once) and sees their requests."""
    user = request.user
    form, corrections = _forms(request, AccountRequestForm)
    status = 200
    if request.method == "POST":
        if form.is_valid() & corrections.is_valid():
            organisation = user.organisation
            rights_request = rights_request_intake(
                kind=form.cleaned_data["kind"],
                requester_name=user.full_name or user.email,
                requester_email=user.email,
                description=form.cleaned_data["description"],
                organisation=organisation,
                organisation_name=organisation.name if organisation else "",
                channel=Channel.ACCOUNT,
                filed_by=user,
                verified=True,
                own_account=user,
                corrections=corrections.items(),
                objection_purposes=form.cleaned_data["objection_purposes"],
            )
            messages.success(
                request,
                f"We have your request {rights_request.reference}. We will answer by "
                f"{rights_request.due_on:%-d %B %Y}; we have e-mailed you the details.",
            )
            return redirect("rights:status", token=status_token(rights_request))
        status = 400
    own = [
        (rights_request, requester_state(rights_request), status_token(rights_request))
        for rights_request in requests_of_user(user).order_by("-received_at", "-id")
    ]
    context = _form_context(form, corrections, requests=own)
    return render(request, "dsar/rights/account.html", context, status=status)


# --- The verification link ------------------------------------------------------------------


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    opened_at = timezone.now()
    rights_request, problem = rights_request_verify(token=token)
    if problem:
        return render(
            request,
            "dsar/rights/verify_failed.html",
            {"problem": problem},
            status=410 if problem == "expired" else 404,
        )
    if rights_request.verified_at is None or rights_request.verified_at < opened_at:
        # Opened before (or the request was closed before it was confirmed).
        return render(
            request,
            "dsar/rights/verify_failed.html",
            {
                "problem": "used",
                "rights_request": rights_request,
                "status_token": status_token(rights_request),
            },
        )
    messages.success(
        request,
        f"Thank you: your e-mail address is confirmed. We will answer by "
        f"{rights_request.due_on:%-d %B %Y}.",
    )
    return redirect("rights:status", token=status_token(rights_request))


@never_cache
@require_http_methods(["GET", "POST"])
def new_link(request: HttpRequest) -> HttpResponse:
    """Ask for a new confirmation link. The answer is the same whether or not a request awaits
    the address (and which limit, if any, was reached), so the page reveals nothing."""
    form = NewLinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"]
            if new_link_allowed(ip_address=client_ip(request), email=email):
                rights_request_send_new_link(email=email)
                return redirect("rights:new_link_sent")
            form.add_error(None, rate_limited_message())
            status = 429
        else:
            status = 400
    context = {"form": form, "close_days": settings.RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS}
    return render(request, "dsar/rights/new_link.html", context, status=status)


@never_cache
def new_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "dsar/rights/new_link_sent.html")


# --- The status page -------------------------------------------------------------------------


# How each kind of timeline entry is headed for the requester; an entry not listed shows
# its text alone ("Request received.", "A copy of your data is ready ...").
_REQUESTER_EVENT_TITLES = {
    RequestEvent.Kind.MESSAGE_TO_REQUESTER: "Message from our privacy team",
    RequestEvent.Kind.MESSAGE_FROM_REQUESTER: "Your message",
    RequestEvent.Kind.EXTENSION: "More time needed",
    RequestEvent.Kind.DOWNLOAD: "Downloaded",
}


def _requester_timeline(rights_request: RightsRequest) -> list[dict]:
    """The history in the requester's words: a status change says the new status only when
    it reads differently from the one before ("Verified" then "In progress" are both
    "Working on it")."""
    rows, shown_state = [], REQUESTER_STATE[State.SUBMITTED]
    for event in requester_events(rights_request):
        title = _REQUESTER_EVENT_TITLES.get(event.kind, "")
        if event.kind == RequestEvent.Kind.TRANSITION and event.to_state in State.values:
            words = REQUESTER_STATE[State(event.to_state)]
            if words != shown_state:
                title, shown_state = f"Status: {words}", words
        if title or event.body:
            rows.append({"at": event.at, "title": title, "body": event.body})
    return rows


def _status_page(request, rights_request, token, *, reply_form=None, status=200):
    context = {
        "rights_request": rights_request,
        "token": token,
        "requester_state": requester_state(rights_request),
        "stages": request_stages(rights_request, for_requester=True),
        "events": _requester_timeline(rights_request),
        "corrections": rights_request.rectifications.order_by("id"),
        "recipients_told": notices_of_request(rights_request.reference),
        "paused": rights_request.state == State.AWAITING_REQUESTER,
        "next_step": next_step(rights_request),
        "reply_form": reply_form or ReplyForm(),
    }
    return render(request, "dsar/rights/status.html", context, status=status)


def _from_token(request, token):
    rights_request = request_from_status_token(token)
    if rights_request is None:
        return None, render(request, "404.html", status=404)
    return rights_request, None


@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    rights_request, not_found = _from_token(request, token)
    if not_found:
        return not_found
    return _status_page(request, rights_request, token)


@never_cache
@require_POST
def reply(request: HttpRequest, token: str) -> HttpResponse:
    rights_request, not_found = _from_token(request, token)
    if not_found:
        return not_found
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            rights_request_requester_reply(request=rights_request, body=form.cleaned_data["body"])
        except TransitionRefused as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect("rights:status", token=token)
        except ValidationError as invalid:
            form.add_error("body", invalid.messages)
        else:
            messages.success(request, "Your message is sent to our privacy team.")
            return redirect("rights:status", token=token)
    return _status_page(request, rights_request, token, reply_form=form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    rights_request, not_found = _from_token(request, token)
    if not_found:
        return not_found
    if request.method == "POST":
        try:
            rights_request_withdraw(request=rights_request)
        except TransitionRefused as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, f"Your request {rights_request.reference} is withdrawn.")
        return redirect("rights:status", token=token)
    if not rights_request.is_open:
        messages.error(request, "This request is closed: there is nothing to withdraw.")
        return redirect("rights:status", token=token)
    return render(
        request, "dsar/rights/withdraw.html", {"rights_request": rights_request, "token": token}
    )
