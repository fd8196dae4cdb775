"""The client admin's single sign-on page (/console/sso/): their own organisation's only."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from common.decorators import client_admin_required
from sso.views import pages

AREA = pages.Area(namespace="sso-console", url_kwargs={}, template="sso/console.html")


@client_admin_required
@require_http_methods(["GET", "POST"])
def sso_settings(request: HttpRequest) -> HttpResponse:
    return pages.settings_page(request, request.user.organisation, AREA)


@client_admin_required
@require_POST
def sso_metadata_refresh_view(request: HttpRequest) -> HttpResponse:
    return pages.metadata_refresh(request, request.user.organisation, AREA)


@client_admin_required
@require_POST
def domain_add(request: HttpRequest) -> HttpResponse:
    return pages.claim_add(request, request.user.organisation, AREA)


@client_admin_required
@require_POST
def domain_remove(request: HttpRequest, claim_pk: int) -> HttpResponse:
    return pages.claim_remove(request, request.user.organisation, AREA, claim_pk)
