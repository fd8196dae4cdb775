"""“Not you?” on the login page: the browser forgets who last logged in with it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cookies.remember import forget_visitor


@require_POST
def forget_me(request: HttpRequest) -> HttpResponse:
    response = redirect("accounts:login")
    forget_visitor(response)
    messages.success(
        request,
        "This browser no longer remembers you. It will again the next time you log in, unless "
        "you switch off functionality cookies in the cookie settings.",
    )
    return response
