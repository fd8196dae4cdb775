"""Giving a case to a colleague, the same on every case's page in the back office (rights
requests and complaints, enquiries, investigations): the colleague chosen in AssignForm,
"me" for the one asking (the page's "Assign to me"), or nobody, which puts the case back in
its queue."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.forms import AssignForm
from accounts.models import User
from common.steps import Refusals, button_step

NOT_A_COLLEAGUE = "Choose a DPO or support colleague, or nobody."


def assign_step(
    request: HttpRequest,
    *,
    assign: Callable[[User | None], object],
    redirect_to: str,
    refusals: Refusals = (ValidationError,),
) -> HttpResponse:
    """``assign(colleague)`` the service with the POSTed choice, say who has the case now (or
    why not), and go back to ``redirect_to``."""
    data = request.POST.copy()
    if data.get("assignee") == "me":
        data["assignee"] = str(request.user.pk)
    form = AssignForm(data)
    if not form.is_valid():
        messages.error(request, NOT_A_COLLEAGUE)
        return redirect(redirect_to)
    colleague = form.cleaned_data["assignee"]
    return button_step(
        request,
        run=lambda: assign(colleague),
        success_message=(
            f"Assigned to {colleague.full_name or colleague.email}."
            if colleague
            else "Back in the queue."
        ),
        redirect_to=redirect_to,
        refusals=refusals,
    )
