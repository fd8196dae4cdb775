"""One back-office step: a service call started from a page, and what the page says after.

Two shapes, one set of rules. A *form step* is a page with a form: on a valid POST it runs
the service; when the form or the service says no, the service's errors go on the form and
the page is shown again (the caller says how, and with which status). A *button step* has
nothing to fill in: a refusal is flashed as an error and the step goes back to the page, as
a success does. Either way a success is flashed and redirected, so a reload never posts twice.

Only the exceptions named in ``refusals`` are shown to the user: anything else, a
PermissionDenied included unless named, goes on to Django (a 403 page, a 500).
"""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.forms import add_service_errors, error_text

Result = TypeVar("Result")
Refusals = tuple[type[Exception], ...]

# What a step says after it: fixed words, or words made from what the service returned.
Said = str | Callable[[Result], str]


def _said(said: Said, result) -> str:
    return said(result) if callable(said) else said


def form_step(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    run: Callable[[], Result],
    success_message: Said,
    redirect_to: Said,
    render_form: Callable[[forms.BaseForm], HttpResponse],
    refusals: Refusals = (ValidationError,),
    on_refusal: Callable[[Exception], HttpResponse | None] | None = None,
) -> HttpResponse:
    """On a POST with a valid ``form``, ``run()`` the service (it reads ``form.cleaned_data``).

    On success: flash ``success_message`` and redirect to ``redirect_to`` (each a string or a
    function of what ``run`` returned). Otherwise ``render_form(form)``: the page as a GET shows
    it, or again with the form's errors and the service's refusal on it. ``on_refusal`` sees a
    refusal first; a response it returns answers instead (a step the record's state no longer
    allows, say).
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = run()
        except refusals as error:
            if on_refusal is not None and (answer := on_refusal(error)) is not None:
                return answer
            add_service_errors(form, error)
        else:
            messages.success(request, _said(success_message, result))
            return redirect(_said(redirect_to, result))
    return render_form(form)


def button_step(
    request: HttpRequest,
    *,
    run: Callable[[], Result],
    success_message: Said,
    redirect_to: str,
    refusals: Refusals = (ValidationError,),
) -> HttpResponse:
    """``run()`` the service, flash what happened or why it was refused, go to ``redirect_to``."""
    try:
        result = run()
    except refusals as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _said(success_message, result))
    return redirect(redirect_to)


def form_page(
    request: HttpRequest, template: str, **context
) -> Callable[[forms.BaseForm], HttpResponse]:
    """A ``render_form`` for a page that is its template and the form: 400 while it shows errors."""
    return lambda form: render(
        request, template, {"form": form, **context}, status=400 if form.errors else 200
    )
