from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import InvitationAcceptForm
from accounts.selectors import user_data_tables, workspace_url
from accounts.services.email_changes import (
    EmailChangeRefused,
    email_change_from_token,
    user_email_change_confirm,
)
from accounts.services.invitations import invitation_from_token
from accounts.services.users import InvalidTransition
from common.origin import request_origin

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# How a link that cannot be used answers: unknown or tampered, expired or replaced, already
# followed (nothing wrong: the address is changed), or the address now has another account.
UNUSABLE_STATUS = {"invalid": 404, "expired": 410, "used": 200, "taken": 409}


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    tables = user_data_tables(request.user)
    return render(
        request,
        "accounts/home.html",
        {
            "held": [t for t in tables if t.total],
            "empty": [t for t in tables if not t.total],
        },
    )


def _email_change_unusable(request: HttpRequest, problem: str) -> HttpResponse:
    return render(
        request,
        "accounts/email_change_unusable.html",
        {"problem": problem},
        status=UNUSABLE_STATUS[problem],
    )


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address. Opening it asks; only the button changes the address,
    so that a mail scanner fetching the link changes nothing. No login needed: the link is the
    proof that its follower reads the new address."""
    change, problem = email_change_from_token(token)
    if problem:
        return _email_change_unusable(request, problem)
    if request.method == "GET":
        return render(request, "accounts/email_change_confirm.html", {"change": change})
    try:
        user = user_email_change_confirm(token=token, origin=request_origin(request))
    except EmailChangeRefused as refused:
        return _email_change_unusable(request, refused.reason)
    return render(request, "accounts/email_change_done.html", {"email": user.email})


@sensitive_post_parameters()
@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation, problem = invitation_from_token(token)
    if problem:
        status = 404 if problem == "invalid" else 410
        return render(
            request, "accounts/invitation_unusable.html", {"problem": problem}, status=status
        )
    form = InvitationAcceptForm(invitation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except InvalidTransition:
            # Accepted by another request between our check and the save.
            return render(
                request, "accounts/invitation_unusable.html", {"problem": "used"}, status=410
            )
        login(request, user, backend=MODEL_BACKEND)
        messages.success(request, "Welcome to PrivacyDesk: your password is set.")
        if user.mfa_required:
            messages.info(request, "Your account needs two-step login: set it up now.")
            return redirect("accounts:mfa_enrol")
        return redirect(workspace_url(user))
    return render(request, "accounts/invitation.html", {"form": form, "invitation": invitation})
