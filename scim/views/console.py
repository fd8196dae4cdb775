"""The console's "Provisioning (SCIM)" page: a client admin creates, lists and revokes their
organisation's provisioning tokens. Tokens are looked up within the admin's organisation only,
so another organisation's prefix answers 404."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.decorators import client_admin_required
from common.forms import add_service_errors
from common.steps import button_step
from scim.forms import ScimTokenForm
from scim.selectors import scim_tokens_of
from scim.services import scim_token_create, scim_token_revoke


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("scim:root"))


@client_admin_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The tokens, and a form for a new one: the new token is in this one response only."""
    form = ScimTokenForm(request.POST if request.method == "POST" else None)
    created = plain = None
    if request.method == "POST" and form.is_valid():
        try:
            created, plain = scim_token_create(
                organisation=request.user.organisation,
                name=form.cleaned_data["name"],
                by=request.user,
                expires_at=form.expires_at(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ScimTokenForm()
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "scim/console/tokens.html",
        {
            "form": form,
            "tokens": scim_tokens_of(request.user.organisation),
            "created": created,
            "plain_token": plain,
            "base_url": _base_url(request),
        },
        status=status,
    )


@client_admin_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    # Tokens are named by their prefix: the pk holds the hash.
    token = get_object_or_404(scim_tokens_of(request.user.organisation), prefix=prefix)
    if request.method == "POST":
        return button_step(
            request,
            run=lambda: scim_token_revoke(token=token, by=request.user),
            success_message=f"The provisioning token “{token.name}” was revoked.",
            redirect_to=reverse("scim-console:tokens"),
            refusals=(PermissionDenied,),
        )
    return render(request, "scim/console/token_revoke.html", {"token": token})
