"""Back office: the company's staff, /backoffice/staff/. DPO and support accounts, who invites
them and who off-boards them.

Support sees the list; inviting, sending a link again and off-boarding are the DPO's (or a
superuser's), checked here before any lookup and again by the services. Off-boarding asks for
the acting person's password (re-authentication, issue 8); inviting does too, since it hands
out back-office access. Every view and every change is on the audit trail.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import audit
from accounts.models import Role, User
from accounts.reauth import ReauthenticationForm
from accounts.selectors import STAFF_STATUS_FILTERS, staff_may_manage, staff_members
from accounts.services.staff import ONLY_THE_DPO, staff_invite, staff_offboard, staff_reinvite
from accounts.services.users import EmailTaken
from common.decorators import staff_required
from common.forms import add_service_errors
from common.paging import page_query
from common.steps import button_step, form_page, form_step

PAGE_SIZE = 25
STAFF_ROLE_CHOICES = [(Role.SUPPORT.value, Role.SUPPORT.label), (Role.DPO.value, Role.DPO.label)]
EMAIL_TAKEN = "An account already uses this e-mail address."


class StaffInviteForm(ReauthenticationForm):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="Work e-mail address",
        max_length=254,
        help_text="The invitation link goes here; it works for 72 hours.",
    )
    role = forms.ChoiceField(
        label="Role",
        choices=STAFF_ROLE_CHOICES,
        help_text="Support works requests, investigations and enquiries; the DPO also keeps "
        "the breach register, retention, the audit trail and the staff list.",
    )
    reauth_help = "Inviting someone gives them the back office: enter your own password."


class StaffOffboardForm(ReauthenticationForm):
    reauth_help = "Off-boarding ends this account for good: enter your own password."


def _refused(request: HttpRequest) -> HttpResponse | None:
    if staff_may_manage(request.user):
        return None
    return render(request, "403.html", {"message": ONLY_THE_DPO}, status=403)


def _staff_member_or_404(pk: int) -> User:
    return get_object_or_404(staff_members("all"), pk=pk)


@staff_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "current")
    if status not in dict(STAFF_STATUS_FILTERS):
        status = "current"
    page = Paginator(staff_members(status), PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(request.user, "staff.list_view", details={"status": status})
    return render(
        request,
        "accounts/staff_list.html",
        {
            "page": page,
            "rows": page.object_list,
            "page_query": page_query(request),
            "status": status,
            "status_filters": STAFF_STATUS_FILTERS,
            "can_manage": staff_may_manage(request.user),
        },
    )


def _invite(form: StaffInviteForm, by: User) -> User:
    try:
        return staff_invite(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            role=form.cleaned_data["role"],
            by=by,
        )
    except EmailTaken as taken:
        raise ValidationError({"email": EMAIL_TAKEN}) from taken


@staff_required
@require_http_methods(["GET", "POST"])
def staff_invite_view(request: HttpRequest) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    form = StaffInviteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "GET":
        audit.record(request.user, "staff.invite_view")
    return form_step(
        request,
        form,
        run=lambda: _invite(form, request.user),
        success_message=lambda user: (
            f"{user.full_name} is invited as {user.get_role_display().lower()}: "
            f"the link was e-mailed to {user.email}."
        ),
        redirect_to=reverse("staff:list"),
        render_form=form_page(request, "accounts/staff_invite.html"),
        refusals=(ValidationError, PermissionDenied),
    )


@staff_required
@require_POST
def staff_reinvite_view(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    person = _staff_member_or_404(pk)
    return button_step(
        request,
        run=lambda: staff_reinvite(user=person, by=request.user),
        success_message=f"A new invitation link was e-mailed to {person.email}.",
        redirect_to=reverse("staff:list"),
        refusals=(PermissionDenied, ValidationError),
    )


def _open_cases(person: User) -> dict[str, QuerySet]:
    # Read through the person's reverse relations: accounts imports none of these apps.
    return {
        "rights_requests": person.rights_requests_assigned.filter(closed_at__isnull=True),
        "investigations": person.investigations_assigned.filter(closed_at__isnull=True),
        "enquiries": person.enquiries_assigned.filter(closed_at__isnull=True),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def staff_offboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    person = _staff_member_or_404(pk)
    form = StaffOffboardForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            staff_offboard(user=person, by=request.user)
        except (PermissionDenied, ValidationError) as refusal:
            add_service_errors(form, refusal)
        else:
            messages.success(
                request,
                f"{person.full_name} is off-boarded: the account is terminated and their open "
                "cases are back in the queues.",
            )
            return redirect("staff:list")
    # Every display shows a colleague's account, a re-shown form included.
    audit.record(request.user, "staff.offboard_view", target=person)
    cases = {name: cases.count() for name, cases in _open_cases(person).items()}
    return render(
        request,
        "accounts/staff_offboard.html",
        {"person": person, "form": form, "cases": cases, "cancel_url": reverse("staff:list")},
        status=400 if form.errors else 200,
    )
