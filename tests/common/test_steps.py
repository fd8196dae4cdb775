"""The back-office step helper: what a page says and where it goes after a step."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from common.steps import button_step, form_step


class ReasonForm(forms.Form):
    reason = forms.CharField()


def _request(method="post", data=None):
    request = getattr(RequestFactory(), method)("/step/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _said(request) -> list[str]:
    return [str(message) for message in get_messages(request)]


def _shown(form) -> HttpResponse:
    return HttpResponse(repr(form.errors.get_json_data()), status=400 if form.errors else 200)


def _refuse(error):
    def run():
        raise error

    return run


def test_a_valid_post_runs_the_service_flashes_and_redirects():
    request = _request(data={"reason": "because"})
    form = ReasonForm(request.POST)
    response = form_step(
        request,
        form,
        run=lambda: form.cleaned_data["reason"].upper(),
        success_message=lambda result: f"Done: {result}.",
        redirect_to=lambda result: f"/done/{result}/",
        render_form=_shown,
    )
    assert (response.status_code, response.url) == (302, "/done/BECAUSE/")
    assert _said(request) == ["Done: BECAUSE."]


def test_a_get_shows_the_form_without_running_the_service():
    request = _request("get")
    response = form_step(
        request,
        ReasonForm(),
        run=_refuse(AssertionError("ran on a GET")),
        success_message="",
        redirect_to="/",
        render_form=_shown,
    )
    assert response.status_code == 200


def test_a_refusal_goes_on_the_field_it_names_and_the_page_is_shown_again():
    request = _request(data={"reason": "because"})
    form = ReasonForm(request.POST)
    response = form_step(
        request,
        form,
        run=_refuse(ValidationError({"reason": "Not a good reason."})),
        success_message="",
        redirect_to="/",
        render_form=_shown,
    )
    assert response.status_code == 400
    assert form.errors == {"reason": ["Not a good reason."]}
    assert _said(request) == []


def test_a_permission_refusal_is_shown_only_when_named():
    request = _request(data={"reason": "because"})
    step = {
        "success_message": "",
        "redirect_to": "/",
        "render_form": _shown,
        "run": _refuse(PermissionDenied("Not yours.")),
    }
    with pytest.raises(PermissionDenied):
        form_step(request, ReasonForm(request.POST), **step)
    form = ReasonForm(request.POST)
    form_step(request, form, refusals=(ValidationError, PermissionDenied), **step)
    assert form.non_field_errors() == ["Not yours."]


def test_on_refusal_may_answer_instead_of_the_form():
    request = _request(data={"reason": "because"})
    response = form_step(
        request,
        ReasonForm(request.POST),
        run=_refuse(ValidationError("Too late.")),
        success_message="",
        redirect_to="/",
        render_form=_shown,
        on_refusal=lambda error: HttpResponse(status=409),
    )
    assert response.status_code == 409


def test_a_button_step_flashes_a_refusal_and_goes_back_all_the_same():
    request = _request()
    response = button_step(
        request, run=_refuse(ValidationError("Closed.")), success_message="", redirect_to="/page/"
    )
    assert (response.status_code, response.url) == (302, "/page/")
    assert _said(request) == ["Closed."]
