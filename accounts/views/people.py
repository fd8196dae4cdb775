"""Back office: people, /backoffice/people/. Find any user, see their account, act on it.

DPO and support staff manage the members and client admins of every organisation here with
the console's own life-cycle steps (accounts.views.user_actions.USER_ACTIONS), run through the
same services, which check the rules and write the audit entries. Staff accounts, one's
own included, are not managed here. A destructive step asks for the staff member's password
again, and every view of a person's page is itself on the audit trail.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts.forms import SuspendForm, UserFilterForm
from accounts.models import Organisation, User
from accounts.reauth import ReauthenticationForm
from accounts.selectors import (
    actor_decides,
    email_change_pending,
    held_for_review,
    login_lockout,
    mfa_enrolled,
    objected_purposes,
    user_recent_logins,
    users_visible_to,
)
from accounts.services.users import TERMINATE_DECIDED_BY_DPO
from accounts.views.console import confirm_user_action
from accounts.views.user_actions import CHANGED_ONLY_BY_INVESTIGATION, USER_ACTIONS, UserAction
from common.decorators import staff_required
from common.paging import page_query

PAGE_SIZE = 25
# Issue 3 gives MFA resets to a client admin (own organisation) or the DPO: not to support,
# whom a caller pretending to have lost their phone would ask first.
# Terminating outside an investigation is the DPO's decision too (accounts.services.users).
DPO_ONLY_STEPS = {
    "reset-mfa": "Only the data protection officer can reset a person's two-step login.",
    "terminate": TERMINATE_DECIDED_BY_DPO,
}


class PeopleFilterForm(UserFilterForm):
    """The client admin's filters, across organisations, with the organisation as one more."""

    organisation = forms.ModelChoiceField(
        label="Organisation",
        required=False,
        queryset=Organisation.objects.order_by("name"),
        empty_label="Any organisation",
    )
    field_order = ["search", "organisation", "role", "status"]


class ConfirmStepForm(ReauthenticationForm, SuspendForm):
    """A back-office step's confirmation: the reason a suspension needs, and for a destructive
    step the staff member's own password again (re-authentication, issue 8)."""

    def __init__(self, *args, step: UserAction, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not step.needs_reason:
            del self.fields["reason"]
        if not needs_password(step):
            del self.fields["password"]


def needs_password(step: UserAction) -> bool:
    # The console's "danger" steps are the destructive ones: suspend, terminate, reset MFA.
    return step.danger


def _people() -> QuerySet[User]:
    return User.objects.select_related("organisation").annotate(
        mfa_enrolled=mfa_enrolled(), held_for_review=held_for_review()
    )


def _person_or_404(request: HttpRequest, pk: int) -> User:
    people = users_visible_to(request.user).select_related("suspended_by", "terminated_by")
    return get_object_or_404(people, pk=pk)


def _refusal(actor: User, person: User, step: UserAction | None = None) -> str:
    """Why ``actor`` may not run ``step`` (or any step) on ``person`` here; "" when they may."""
    if person.pk == actor.pk:
        return "You cannot manage your own account here: ask a colleague."
    if person.is_company_staff or person.is_superuser:
        return "Staff accounts are not managed in the back office."
    if step is not None and step.slug in DPO_ONLY_STEPS and not actor_decides(actor):
        return DPO_ONLY_STEPS[step.slug]
    return ""


@staff_required
@require_GET
def people_search(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    people = form.filter(_people()).order_by("full_name", "email", "pk")
    # The organisations for the filter, the count, and the page (organisation joined, MFA
    # enrolment as an EXISTS): three queries whatever the page size.
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people_search.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "page_query": page_query(request),
            "filtered": bool(form.is_bound and form.is_valid() and any(form.cleaned_data.values())),
        },
    )


@staff_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    refusal = _refusal(request.user, person)
    actions = [
        (step, reverse("people:action", kwargs={"pk": person.pk, "action": step.slug}))
        for step in USER_ACTIONS.values()
        if not refusal
        and person.status in step.offered_for
        and not _refusal(request.user, person, step)
        and not (person.held_for_review and step.slug in CHANGED_ONLY_BY_INVESTIGATION)
    ]
    # Security's rows, read through the user's reverse relations: accounts imports no security.
    investigations = person.investigations.open().order_by("-opened_at")
    # Never the secrets: only what a device is, and when it was set up and last used.
    authenticators = TOTPDevice.objects.filter(user=person).only(
        "name", "confirmed", "created_at", "last_used_at"
    )
    passkeys = person.webauthncredential_set.filter(confirmed=True).only(
        "name", "created_at", "last_used_at"
    )
    backup_codes = person.backupcodedevice_set.only("name", "confirmed").annotate(
        unused_codes=Count("codes", filter=Q(codes__used_at__isnull=True))
    )
    audit.record(request.user, "person.view", target=person)
    return render(
        request,
        "accounts/people_detail.html",
        {
            "person": person,
            "pending_email_change": email_change_pending(person),
            "refusal": refusal,
            "actions": actions,
            "logins": user_recent_logins(person),
            "authenticators": list(authenticators),
            "passkeys": list(passkeys),
            "lockout": login_lockout(person),
            "backup_codes": list(backup_codes),
            "investigations": investigations,
            "objections": objected_purposes(person),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def person_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    step = USER_ACTIONS.get(action)
    if step is None:
        raise Http404
    person = _person_or_404(request, pk)
    if refusal := _refusal(request.user, person, step):
        return render(request, "403.html", {"message": refusal}, status=403)
    form = None
    if step.needs_reason or needs_password(step):
        data = request.POST if request.method == "POST" else None
        form = ConfirmStepForm(data, step=step, user=request.user)
    return confirm_user_action(
        request,
        step=step,
        person=person,
        form=form,
        template="accounts/people_confirm.html",
        back_url=reverse("people:person", kwargs={"pk": person.pk}),
        context={"show_organisation": True},
    )
