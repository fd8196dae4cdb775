"""Staff's page of an organisation's single sign-on (/backoffice/organisations/<pk>/sso/):
they set it up for the client when asked, and verify the domains the client claims. Every
view and change is in the audit trail."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods, require_POST

import audit
from accounts.models import Organisation
from common.decorators import staff_required
from common.steps import button_step
from sso.services.domains import domain_claim_verify
from sso.views import pages


def _area(pk: int) -> pages.Area:
    return pages.Area(
        namespace="sso-backoffice",
        url_kwargs={"pk": pk},
        template="sso/backoffice.html",
        staff=True,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def sso_settings(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    if request.method == "GET":
        audit.record(request.user, "sso.view", target=organisation)
    return pages.settings_page(request, organisation, _area(pk))


@staff_required
@require_POST
def sso_metadata_refresh_view(request: HttpRequest, pk: int) -> HttpResponse:
    return pages.metadata_refresh(request, get_object_or_404(Organisation, pk=pk), _area(pk))


@staff_required
@require_POST
def domain_add(request: HttpRequest, pk: int) -> HttpResponse:
    return pages.claim_add(request, get_object_or_404(Organisation, pk=pk), _area(pk))


@staff_required
@require_POST
def domain_verify(request: HttpRequest, pk: int, claim_pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    claim = pages.claim_of(organisation, claim_pk)
    return button_step(
        request,
        run=lambda: domain_claim_verify(claim=claim, by=request.user),
        success_message=f"{claim.domain} is verified for {organisation.name}.",
        redirect_to=_area(pk).url("settings"),
        refusals=pages.REFUSALS,
    )


@staff_required
@require_POST
def domain_remove(request: HttpRequest, pk: int, claim_pk: int) -> HttpResponse:
    return pages.claim_remove(request, get_object_or_404(Organisation, pk=pk), _area(pk), claim_pk)
