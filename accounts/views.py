from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.email_changes import (
    EmailChangeRefused,
    email_change_from_token,
    user_email_change_confirm,
)
from accounts.selectors import user_data_held

# How a link that cannot be used answers: unknown or tampered, expired or replaced, already
# followed (nothing wrong: the address is changed), or the address now has another account.
UNUSABLE_STATUS = {"invalid": 404, "expired": 410, "used": 200, "taken": 409}


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    sections = [s for s in user_data_held(request.user) if s.rows]
    return render(request, "account/home.html", {"sections": sections})


def _email_change_unusable(request: HttpRequest, problem: str) -> HttpResponse:
    return render(
        request,
        "account/email_change_unusable.html",
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
        return render(request, "account/email_change_confirm.html", {"change": change})
    try:
        user = user_email_change_confirm(token=token)
    except EmailChangeRefused as refused:
        return _email_change_unusable(request, refused.reason)
    return render(request, "account/email_change_done.html", {"email": user.email})
