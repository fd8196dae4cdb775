"""The contact form: logged in or not."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.client_ip import client_ip
from common.ratelimit import rate_allow, rate_bucket
from enquiries.forms import HONEYPOT_FIELD, AccountEnquiryForm, PublicEnquiryForm
from enquiries.services import enquiry_submit

RATE_LIMITED_MESSAGE = (
    "We have received several messages from you recently, so we cannot take another one just "
    "now. Please try again later."
)


def _allowed(request: HttpRequest) -> bool:
    ip_address = client_ip(request)
    if not ip_address:
        return True
    return rate_allow(
        [
            (
                rate_bucket("enquiries", "ip", ip_address),
                settings.ENQUIRY_LIMIT_PER_IP,
                settings.ENQUIRY_LIMIT_PER_IP_SECONDS,
            )
        ]
    )


@never_cache
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    form_class = AccountEnquiryForm if user is not None else PublicEnquiryForm
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            # A bot filled the field people cannot see: look accepted, keep nothing.
            return redirect("enquiries:sent")
        if not form.is_valid():
            status = 400
        elif not _allowed(request):
            form.add_error(None, RATE_LIMITED_MESSAGE)
            status = 429
        else:
            data = form.cleaned_data
            enquiry_submit(
                name=data.get("name", ""),
                email=data.get("email", ""),
                subject=data["subject"],
                message=data["message"],
                user=user,
            )
            return redirect("enquiries:sent")
    return render(request, "enquiries/new.html", {"form": form}, status=status)


@never_cache
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "enquiries/sent.html")
