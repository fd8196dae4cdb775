"""Scheduled usage reports in the console: a client admin subscribes the organisation, edits
or cancels a subscription, and anyone a delivery was addressed to opens it.

Subscriptions are looked up within the admin's own organisation (another's id answers 404);
deliveries within those the admin may open (``report_deliveries_openable_by``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import report_recipients
from common.decorators import client_admin_required
from common.steps import button_step, form_step
from usage.forms import SubscriptionForm
from usage.models import ReportSubscription
from usage.reports import report_page_context
from usage.selectors import (
    delivered_report,
    report_deliveries_openable_by,
    report_subscriptions_of,
)
from usage.services.subscriptions import (
    report_delivery_open,
    report_subscription_cancel,
    report_subscription_create,
    report_subscription_update,
)

RECENT_DELIVERIES = 20


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _allowed(request: HttpRequest):
    return report_recipients(request.user.organisation).order_by("organisation__name", "full_name")


def _own_subscription(request: HttpRequest, pk: int) -> ReportSubscription:
    return get_object_or_404(
        ReportSubscription.objects.filter(organisation=request.user.organisation), pk=pk
    )


@client_admin_required
@require_GET
def subscriptions(request: HttpRequest) -> HttpResponse:
    deliveries = report_deliveries_openable_by(request.user)[:RECENT_DELIVERIES]
    return render(
        request,
        "usage/subscriptions.html",
        {
            "subscriptions": report_subscriptions_of(request.user.organisation),
            "deliveries": deliveries,
        },
    )


def _form_page(request, form, subscription=None):
    def render_form(form):
        status = 400 if form.is_bound and form.errors else 200
        return render(
            request,
            "usage/subscription_form.html",
            {"form": form, "subscription": subscription},
            status=status,
        )

    return render_form


@client_admin_required
@require_http_methods(["GET", "POST"])
def subscription_new(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(_posted(request), allowed=_allowed(request))
    return form_step(
        request,
        form,
        run=lambda: report_subscription_create(
            organisation=request.user.organisation, by=request.user, **form.cleaned_data
        ),
        success_message="The scheduled report was set up.",
        redirect_to=reverse("usage:subscriptions"),
        render_form=_form_page(request, form),
        refusals=(ValidationError, PermissionDenied),
    )


@client_admin_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _own_subscription(request, pk)
    initial = {
        "cadence": subscription.cadence,
        "grouping": subscription.grouping,
        "recipients": [r.user_id for r in subscription.recipients.all()],
    }
    form = SubscriptionForm(_posted(request), initial=initial, allowed=_allowed(request))
    return form_step(
        request,
        form,
        run=lambda: report_subscription_update(
            subscription=subscription, by=request.user, **form.cleaned_data
        ),
        success_message="The scheduled report was changed.",
        redirect_to=reverse("usage:subscriptions"),
        render_form=_form_page(request, form, subscription),
        refusals=(ValidationError, PermissionDenied),
    )


@client_admin_required
@require_POST
def subscription_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _own_subscription(request, pk)
    return button_step(
        request,
        run=lambda: report_subscription_cancel(subscription=subscription, by=request.user),
        success_message="The scheduled report was cancelled: no more will be sent.",
        redirect_to=reverse("usage:subscriptions"),
        refusals=(PermissionDenied,),
    )


@client_admin_required
@require_GET
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(report_deliveries_openable_by(request.user), pk=pk)
    report_delivery_open(delivery=found, user=request.user)
    report = delivered_report(found)
    return render(
        request,
        "usage/delivery.html",
        {"delivery": found, **report_page_context(report, request.GET)},
    )
