"""Back office: client organisations. DPO and support staff (a superuser is a DPO) onboard a
client, set its MFA requirement and e-mail domains, download its data export for it, and
close or reopen it at the contract's end. The DPO alone records and ends its group companies
(support reads them).

Every change is a service call that checks the rules and writes the audit entry; the list and
an organisation's page are on the audit trail too. Closing and reopening ask for the staff
member's password again (accounts.reauth).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import audit
from accounts.models import GroupCompany, Organisation
from accounts.organisation_selectors import (
    organisation_client_admins,
    organisation_user_counts,
    organisations_overview,
)
from accounts.selectors import group_companies_ended_of, group_companies_of, report_entitlements_of
from accounts.services.group_companies import group_company_add, group_company_end
from accounts.services.organisations import (
    organisation_close,
    organisation_create,
    organisation_reopen,
    organisation_set_email_domains,
    organisation_set_mfa_required,
)
from backoffice.organisations.forms import (
    CloseForm,
    EmailDomainsForm,
    GroupCompanyForm,
    MfaRequiredForm,
    OrganisationCreateForm,
    ReopenForm,
)
from common.decorators import dpo_required, staff_required
from common.forms import error_text
from common.paging import page_query
from common.roles import Role
from common.steps import button_step, form_step
from retention.selectors import holds_on_organisation
from usage.organisation_export import organisation_export, organisation_export_response

PAGE_SIZE = 25
FORM_TEMPLATE = "backoffice/organisations/form.html"


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _organisation_or_404(pk: int) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("closed_by"), pk=pk)


def _detail_url(organisation: Organisation) -> str:
    return reverse("organisations:detail", kwargs={"pk": organisation.pk})


def _form_page(request: HttpRequest, organisation: Organisation | None, **context):
    """A ``render_form`` for the one-form pages (new, domains, group company, close, reopen)."""
    return lambda form: render(
        request,
        FORM_TEMPLATE,
        {"form": form, "organisation": organisation, **context},
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    # The count and the page (users counted per organisation in the same query): two queries.
    page = Paginator(organisations_overview(), PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(request.user, "organisation.list", details={"page": page.number})
    return render(
        request,
        "backoffice/organisations/list.html",
        {"page": page, "rows": page.object_list, "page_query": page_query(request)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationCreateForm(_posted(request))
    return form_step(
        request,
        form,
        run=lambda: organisation_create(by=request.user, **form.cleaned_data),
        success_message=lambda created: (
            f"{created[0].name} was created. An invitation was sent to "
            f"{created[1].user.email}; the link works for 72 hours."
        ),
        redirect_to=lambda created: _detail_url(created[0]),
        render_form=_form_page(
            request,
            None,
            title="New organisation",
            explanation=(
                "The organisation is created with its first client admin, who gets an "
                "invitation by e-mail. They invite everyone else from the console."
            ),
            button="Create the organisation",
            cancel_url=reverse("organisations:list"),
        ),
    )


@staff_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    audit.record(request.user, "organisation.view", target=organisation)
    return render(
        request,
        "backoffice/organisations/detail.html",
        {
            "organisation": organisation,
            "user_counts": organisation_user_counts(organisation),
            "admins": organisation_client_admins(organisation),
            "group_companies": group_companies_of(organisation),
            "group_companies_ended": group_companies_ended_of(organisation),
            "entitled_to": report_entitlements_of(organisation.pk),
            "holds": holds_on_organisation(organisation),
            "is_dpo": request.user.role == Role.DPO,
        },
    )


@staff_required
@require_POST
def organisation_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    form = MfaRequiredForm(request.POST)
    form.is_valid()  # a BooleanField that is not required: always valid
    required = form.cleaned_data["mfa_required"]
    return button_step(
        request,
        run=lambda: organisation_set_mfa_required(
            organisation=organisation, mfa_required=required, by=request.user
        ),
        success_message=(
            "Two-step login is now required of every user."
            if required
            else "Two-step login is now required of client admins only."
        ),
        redirect_to=_detail_url(organisation),
        refusals=(PermissionDenied, ValidationError),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def organisation_domains(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    form = EmailDomainsForm(
        _posted(request), initial={"domains": "\n".join(organisation.allowed_email_domains)}
    )
    return form_step(
        request,
        form,
        run=lambda: organisation_set_email_domains(
            organisation=organisation, domains=form.cleaned_data["domains"], by=request.user
        ),
        success_message="The allowed e-mail domains were saved.",
        redirect_to=_detail_url(organisation),
        render_form=_form_page(
            request,
            organisation,
            title=f"E-mail domains of {organisation.name}",
            explanation=(
                "Invitations normally go to these domains only: an invitation to any other "
                "address asks the inviter to confirm it."
            ),
            button="Save the domains",
            cancel_url=_detail_url(organisation),
        ),
        refusals=(ValidationError, PermissionDenied),
    )


@dpo_required
@require_http_methods(["GET", "POST"])
def group_company_new(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    form = GroupCompanyForm(_posted(request), organisation=organisation)
    return form_step(
        request,
        form,
        run=lambda: group_company_add(
            organisation=organisation, by=request.user, **form.cleaned_data
        ),
        success_message=lambda entitlement: (
            f"{entitlement.member}, {entitlement.relation_text}, may now see "
            f"{organisation.name}'s usage reports."
        ),
        redirect_to=_detail_url(organisation),
        render_form=_form_page(
            request,
            organisation,
            title=f"Add a group company, affiliate or partner of {organisation.name}",
            explanation=(
                "Only on the client's written request: another client organisation (a group "
                "company, affiliate or business partner) whose client admins may then see this "
                "organisation's usage reports in their console and receive its scheduled "
                "reports. Each view, download and delivery is recorded as a disclosure to it, "
                "shown to the people in the report."
            ),
            button="Add it",
            cancel_url=_detail_url(organisation),
        ),
        refusals=(ValidationError, PermissionDenied),
    )


@dpo_required
@require_POST
def group_company_end_view(request: HttpRequest, pk: int, entitlement_pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    entitlement = get_object_or_404(
        GroupCompany.objects.select_related("member", "organisation"),
        pk=entitlement_pk,
        organisation=organisation,
    )
    return button_step(
        request,
        run=lambda: group_company_end(entitlement=entitlement, by=request.user),
        success_message=f"{entitlement.member} no longer sees {organisation.name}'s reports.",
        redirect_to=_detail_url(organisation),
        refusals=(PermissionDenied,),
    )


@staff_required
@require_POST
def organisation_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    try:
        export = organisation_export(
            organisation=organisation, by=request.user, channel="back office, for the client"
        )
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, error_text(error))
        return redirect(_detail_url(organisation))
    return organisation_export_response(export)


@staff_required
@require_http_methods(["GET", "POST"])
def organisation_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    if organisation.is_closed:
        messages.info(request, f"{organisation.name} is already closed.")
        return redirect(_detail_url(organisation))
    form = CloseForm(_posted(request), user=request.user)
    return form_step(
        request,
        form,
        run=lambda: organisation_close(
            organisation=organisation,
            reason=form.cleaned_data["reason"],
            effective_on=form.cleaned_data["effective_on"],
            by=request.user,
        ),
        success_message=(
            f"{organisation.name} was closed: every account ended, its API keys were revoked "
            "and its client admins were told by e-mail."
        ),
        redirect_to=_detail_url(organisation),
        render_form=_form_page(
            request,
            organisation,
            title=f"Close {organisation.name}",
            explanation=(
                "At the contract's end: every account of the organisation is terminated now "
                "(sessions end, invitations stop working), every API key is revoked, and its "
                "client admins are told by e-mail. The retention period of their data starts "
                "now; data under a legal hold is kept. Download the organisation's data export "
                "first if the client asked for it."
            ),
            button="Close the organisation",
            danger=True,
            cancel_url=_detail_url(organisation),
        ),
        refusals=(ValidationError, PermissionDenied),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def organisation_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    if not organisation.is_closed:
        messages.info(request, f"{organisation.name} is not closed.")
        return redirect(_detail_url(organisation))
    form = ReopenForm(_posted(request), user=request.user)
    return form_step(
        request,
        form,
        run=lambda: organisation_reopen(organisation=organisation, by=request.user),
        success_message=(
            f"{organisation.name} was reopened. Its client admins were sent a new invitation; "
            "they send their members new links from the console."
        ),
        redirect_to=_detail_url(organisation),
        render_form=_form_page(
            request,
            organisation,
            title=f"Reopen {organisation.name}",
            explanation=(
                "The accounts the closure ended come back: suspended ones stay suspended, the "
                "others are invited again (their old passwords no longer work). The client "
                "admins get a new 72-hour invitation now. Once the retention purge has erased "
                "the organisation's data it cannot be reopened."
            ),
            button="Reopen the organisation",
            cancel_url=_detail_url(organisation),
        ),
        refusals=(ValidationError, PermissionDenied),
    )
