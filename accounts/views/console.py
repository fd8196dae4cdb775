"""The client admin console, /console/: the organisation's users, its settings and API keys.

Only client admins reach it, and only for their own organisation: every object is looked up
within that organisation, so an id of another one answers 404. Every change is a service
call (accounts.services), which checks the rules and writes the audit entry."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import audit
from accounts.forms import (
    ROLE_CHOICES,
    ApiKeyForm,
    InviteForm,
    OrganisationSettingsForm,
    PasskeySignInForm,
    RoleForm,
    SuspendForm,
    UserDetailsForm,
    UserFilterForm,
)
from accounts.models import OrganisationAPIKey, User
from accounts.selectors import email_change_pending, user_recent_logins, users_of_organisation
from accounts.services.api_keys import api_key_create, api_key_revoke
from accounts.services.email_changes import user_email_change_request
from accounts.services.invitations import user_invite
from accounts.services.organisations import (
    organisation_set_mfa_required,
    organisation_set_passkey_sign_in,
)
from accounts.services.users import EmailTaken, user_change_role, user_rectify
from accounts.views.user_actions import (
    CHANGED_ONLY_BY_INVESTIGATION,
    USER_ACTIONS,
    UserAction,
)
from common.decorators import client_admin_required
from common.forms import add_service_errors
from common.steps import button_step, form_page, form_step

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
RECENT_LOGINS = 20
EMAIL_TAKEN = "A user with this e-mail address already exists."
CONSOLE_VIEW = "Details, logins and sessions, in the console"


def _posted(request: HttpRequest):
    # Not ``request.POST or None``: an empty POST (an unticked checkbox) is a submission too.
    return request.POST if request.method == "POST" else None


def _organisation_user(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(users_of_organisation(request.user.organisation), pk=pk)


# --- Users ----------------------------------------------------------------------


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


@client_admin_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    form.fields["role"].choices = [("", "Any role"), *ROLE_CHOICES]
    people = form.filter(users_of_organisation(request.user.organisation))
    # Two queries whatever the page size: the count and the page (organisation joined).
    page = Paginator(people.order_by("full_name", "email"), _page_size(request)).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/console/users.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(form.is_bound and form.is_valid() and any(form.cleaned_data.values())),
        },
    )


@client_admin_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(_posted(request))

    def invite_user() -> User:
        try:
            return user_invite(
                organisation=request.user.organisation, by=request.user, **form.cleaned_data
            )
        except EmailTaken:
            raise ValidationError({"email": EMAIL_TAKEN}) from None

    return form_step(
        request,
        form,
        run=invite_user,
        success_message=lambda person: f"Invitation sent to {person.email}.",
        redirect_to=lambda person: reverse("console:user", kwargs={"pk": person.pk}),
        render_form=form_page(request, "accounts/console/invite.html"),
        on_refusal=form.ask_to_confirm_other_domain,
    )


@client_admin_required
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _organisation_user(request, pk)
    # A view of someone's logins and sessions is recorded, as the back office's views are.
    audit.record(request.user, "user.view", target=person, details={"seen": CONSOLE_VIEW})
    return render(
        request,
        "accounts/console/user_detail.html",
        {
            "person": person,
            "is_self": person.pk == request.user.pk,
            "role_form": RoleForm(initial={"role": person.role}),
            "pending_email_change": email_change_pending(person),
            "logins": user_recent_logins(person, limit=RECENT_LOGINS),
            # Security's session rows, through the reverse relation (accounts imports no security).
            "sessions": person.browser_sessions.all()[:RECENT_LOGINS],
            "actions": [
                (step, reverse(f"console:user-{step.slug}", kwargs={"pk": person.pk}))
                for step in USER_ACTIONS.values()
                if person.status in step.offered_for
                and not (person.held_for_review and step.slug in CHANGED_ONLY_BY_INVESTIGATION)
            ],
        },
    )


@client_admin_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _organisation_user(request, pk)
    if person.pk == request.user.pk or person.status == User.Status.TERMINATED:
        raise Http404
    initial = {name: getattr(person, name) for name in UserDetailsForm.base_fields}
    form = UserDetailsForm(_posted(request), initial=initial)

    def save_details():
        details = dict(form.cleaned_data)
        new_email = details.pop("email")
        with transaction.atomic():
            user_rectify(user=person, by=request.user, **details)
            return user_email_change_request(user=person, new_email=new_email, by=request.user)

    def saved(change) -> str:
        done = f"{person}'s details were saved."
        if change is not None:
            done += f" A confirmation link was sent to {change.new_email}: the e-mail address "
            done += "changes when it is followed."
        return done

    return form_step(
        request,
        form,
        run=save_details,
        success_message=saved,
        redirect_to=reverse("console:user", kwargs={"pk": person.pk}),
        render_form=form_page(request, "accounts/console/user_edit.html", person=person),
    )


@client_admin_required
@require_POST
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = _organisation_user(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
        return redirect("console:user", pk=person.pk)
    return button_step(
        request,
        run=lambda: user_change_role(user=person, role=form.cleaned_data["role"], by=request.user),
        success_message=lambda _: f"{person} is now a {person.get_role_display().lower()}.",
        redirect_to=reverse("console:user", kwargs={"pk": person.pk}),
        refusals=(PermissionDenied, ValidationError),
    )


@client_admin_required
@require_http_methods(["GET", "POST"])
def user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    step = USER_ACTIONS.get(action)
    if step is None:
        raise Http404
    person = _organisation_user(request, pk)
    return confirm_user_action(
        request,
        step=step,
        person=person,
        form=SuspendForm(_posted(request)) if step.needs_reason else None,
        template="accounts/console/confirm.html",
        back_url=reverse("console:user", kwargs={"pk": person.pk}),
    )


def confirm_user_action(
    request: HttpRequest,
    *,
    step: UserAction,
    person: User,
    form,
    template: str,
    back_url: str,
    context: dict | None = None,
) -> HttpResponse:
    """Show ``step``'s confirmation page, or run it on a valid POST and go back to ``back_url``.

    ``form`` is None when the step asks nothing; otherwise its ``reason`` (for steps that
    need one) goes to the service and any other field (the back office's password) is the
    form's own business.
    """
    if request.method == "POST" and (form is None or form.is_valid()):
        arguments = {"reason": form.cleaned_data["reason"]} if step.needs_reason else {}
        return button_step(
            request,
            run=lambda: step.run(user=person, by=request.user, **arguments),
            success_message=lambda _: step.done.format(person=person),
            redirect_to=back_url,
            refusals=(PermissionDenied, ValidationError),
        )
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        template,
        {"step": step, "person": person, "form": form, "cancel_url": back_url, **(context or {})},
        status=status,
    )


# --- Organisation settings --------------------------------------------------------


@client_admin_required
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    form = OrganisationSettingsForm(
        _posted(request), initial={"mfa_required": organisation.mfa_required}
    )
    if request.method == "POST" and form.is_valid():
        return button_step(
            request,
            run=lambda: organisation_set_mfa_required(
                organisation=organisation,
                mfa_required=form.cleaned_data["mfa_required"],
                by=request.user,
            ),
            success_message="The organisation's settings were saved.",
            redirect_to=reverse("console:settings"),
            refusals=(PermissionDenied, ValidationError),
        )
    passkey_form = PasskeySignInForm(initial={"sign_in": organisation.passkey_sign_in})
    return render(
        request,
        "accounts/console/settings.html",
        {"form": form, "organisation": organisation, "passkey_form": passkey_form},
    )


@client_admin_required
@require_POST
def organisation_passkeys(request: HttpRequest) -> HttpResponse:
    form = PasskeySignInForm(request.POST)
    allowed = form.is_valid() and form.cleaned_data["sign_in"]  # a tick box: always valid
    return button_step(
        request,
        run=lambda: organisation_set_passkey_sign_in(
            organisation=request.user.organisation, allowed=allowed, by=request.user
        ),
        success_message=(
            "Your people may now sign in with a passkey alone."
            if allowed
            else "Passkeys are now only a second step after the password."
        ),
        redirect_to=reverse("console:settings"),
        refusals=(PermissionDenied, ValidationError),
    )


# --- API keys -------------------------------------------------------------------


def _organisation_keys(request: HttpRequest):
    return OrganisationAPIKey.objects.filter(organisation=request.user.organisation)


@client_admin_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """The keys, and a form for a new one. The new key's plain text is in this one response."""
    form = ApiKeyForm(_posted(request))
    created = plain = None
    if request.method == "POST" and form.is_valid():
        try:
            created, plain = api_key_create(
                organisation=request.user.organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiKeyForm()
    keys = _organisation_keys(request).select_related("created_by").order_by("-created")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "accounts/console/api_keys.html",
        {"form": form, "keys": keys, "created": created, "plain_key": plain},
        status=status,
    )


@client_admin_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request: HttpRequest, prefix: str) -> HttpResponse:
    # Keys are named by their prefix: the pk of djangorestframework-api-key holds the hash.
    key = get_object_or_404(_organisation_keys(request), prefix=prefix)
    if request.method == "POST":
        return button_step(
            request,
            run=lambda: api_key_revoke(key=key, by=request.user),
            success_message=f"The API key “{key.name}” was revoked.",
            redirect_to=reverse("console:api-keys"),
            refusals=(PermissionDenied,),
        )
    return render(request, "accounts/console/api_key_revoke.html", {"key": key})
