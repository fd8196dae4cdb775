"""The single sign-on settings page of one organisation, as the client admin console and the
staff back office both show it: the connection's settings, what to copy into the IdP, and
the claimed domains. Each area's views (console.py, backoffice.py) check who may enter, name
the organisation and its URL namespace, and call these."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.models import Organisation
from common.forms import add_service_errors
from common.steps import button_step, form_step
from sso.forms import ConnectionForm, DomainClaimForm
from sso.models import DomainClaim
from sso.oidc import SCOPES
from sso.selectors import connection_of, domain_claims_of, service_urls
from sso.services.connections import sso_connection_save, sso_metadata_refresh
from sso.services.domains import domain_claim_add, domain_claim_remove

REFUSALS = (ValidationError, PermissionDenied)
# Two forms on one page: the claim's fields are named claim-…
CLAIM_PREFIX = "claim"


@dataclass(frozen=True)
class Area:
    """Where the page is shown: its URL namespace and arguments, its layout, who sees it."""

    namespace: str
    url_kwargs: dict
    template: str
    staff: bool = False

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"{self.namespace}:{name}", kwargs={**self.url_kwargs, **kwargs})


def _claims(organisation: Organisation, area: Area) -> list[dict]:
    return [
        {
            "claim": claim,
            "remove_url": area.url("domain-remove", claim_pk=claim.pk),
            "verify_url": area.url("domain-verify", claim_pk=claim.pk) if area.staff else "",
        }
        for claim in domain_claims_of(organisation)
    ]


def _render(request, organisation, area: Area, *, form=None, claim_form=None, status=None):
    connection = connection_of(organisation.pk)
    form = form or ConnectionForm(
        organisation=organisation, initial=ConnectionForm.initial_from(connection)
    )
    claim_form = claim_form or DomainClaimForm(prefix=CLAIM_PREFIX)
    errors = form.errors or claim_form.errors
    return render(
        request,
        area.template,
        {
            "organisation": organisation,
            "connection": connection,
            "form": form,
            "claim_form": claim_form,
            "claims": _claims(organisation, area),
            "service_urls": service_urls(organisation),
            "scopes": SCOPES,
            "settings_url": area.url("settings"),
            "domain_add_url": area.url("domain-add"),
            "metadata_refresh_url": area.url("metadata-refresh"),
            "staff": area.staff,
        },
        status=status or (400 if errors else 200),
    )


def settings_page(request: HttpRequest, organisation: Organisation, area: Area) -> HttpResponse:
    form = ConnectionForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial=ConnectionForm.initial_from(connection_of(organisation.pk)),
    )

    def save():
        values = dict(form.cleaned_data)
        secret = values.pop("oidc_client_secret", "") or ""
        return sso_connection_save(
            organisation=organisation, by=request.user, oidc_client_secret=secret, **values
        )

    return form_step(
        request,
        form,
        run=save,
        success_message="The single sign-on settings were saved.",
        redirect_to=area.url("settings"),
        render_form=lambda bound: _render(request, organisation, area, form=bound),
        refusals=REFUSALS,
    )


def metadata_refresh(request: HttpRequest, organisation: Organisation, area: Area):
    connection = connection_of(organisation.pk)
    if connection is None:
        return redirect(area.url("settings"))
    return button_step(
        request,
        run=lambda: sso_metadata_refresh(connection=connection, by=request.user),
        success_message=lambda changed: (
            "The identity provider's metadata was fetched again: it had changed."
            if changed
            else "The identity provider's metadata was fetched again: unchanged."
        ),
        redirect_to=area.url("settings"),
        refusals=REFUSALS,
    )


def claim_add(request: HttpRequest, organisation: Organisation, area: Area) -> HttpResponse:
    claim_form = DomainClaimForm(request.POST, prefix=CLAIM_PREFIX)
    if claim_form.is_valid():
        try:
            claim = domain_claim_add(
                organisation=organisation, domain=claim_form.cleaned_data["domain"], by=request.user
            )
        except REFUSALS as error:
            add_service_errors(claim_form, error)
        else:
            messages.success(
                request,
                f"{claim.domain} was claimed. It is used once PrivacyDesk staff have verified it.",
            )
            return redirect(area.url("settings"))
    return _render(request, organisation, area, claim_form=claim_form)


def claim_of(organisation: Organisation, claim_pk: int) -> DomainClaim:
    """One of this organisation's claims; another organisation's answers 404."""
    return get_object_or_404(DomainClaim, pk=claim_pk, organisation=organisation)


def claim_remove(request: HttpRequest, organisation: Organisation, area: Area, claim_pk: int):
    claim = claim_of(organisation, claim_pk)
    return button_step(
        request,
        run=lambda: domain_claim_remove(claim=claim, by=request.user),
        success_message=f"{claim.domain} was removed.",
        redirect_to=area.url("settings"),
        refusals=REFUSALS,
    )
