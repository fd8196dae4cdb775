"""The user's e-mail subscriptions, and the unsubscribe link that works without logging in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from communications.forms import CommunicationPreferencesForm
from communications.models import MarketingTopic
from communications.selectors import communication_preferences_of, unsubscribe_from_token
from communications.services import (
    communication_preferences_update,
    marketing_object,
    marketing_objection_withdraw,
    marketing_unsubscribe,
)


@login_required
@require_http_methods(["GET", "POST"])
def communications(request: HttpRequest) -> HttpResponse:
    preferences = communication_preferences_of(request.user)
    if request.method == "POST":
        form = CommunicationPreferencesForm(request.POST)
        if form.is_valid():
            communication_preferences_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your e-mail preferences are saved.")
            return redirect("communications:communications")
    else:
        form = CommunicationPreferencesForm(
            initial={topic: getattr(preferences, topic) for topic in MarketingTopic.values}
        )
    return render(
        request, "communications/preferences.html", {"form": form, "preferences": preferences}
    )


@login_required
@require_POST
def communications_object(request: HttpRequest) -> HttpResponse:
    marketing_object(user=request.user, by=request.user, source="account")
    messages.success(request, "You have objected to all marketing: we will send you none.")
    return redirect("communications:communications")


@login_required
@require_POST
def communications_withdraw_objection(request: HttpRequest) -> HttpResponse:
    marketing_objection_withdraw(user=request.user)
    messages.success(
        request, "Your objection is withdrawn. Tick the e-mails you would like to receive."
    )
    return redirect("communications:communications")


# Mail providers send the RFC 8058 one-click POST without a cookie or a CSRF token: the signed
# token in the address is what authorises it. GET only shows a confirmation, so a mail
# scanner that follows links unsubscribes nobody.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe_from_token(token)
    if found is None:
        return render(request, "communications/unsubscribe_invalid.html", status=400)
    user, topic = found
    context = {"topic": topic, "topic_label": MarketingTopic(topic).label}
    if request.method == "GET":
        return render(request, "communications/unsubscribe.html", context)
    if request.POST.get("scope") == "all":
        marketing_object(user=user, by=user, source="unsubscribe_link")
        return render(request, "communications/unsubscribe_done.html", {**context, "all": True})
    marketing_unsubscribe(user=user, topic=topic)
    return render(request, "communications/unsubscribe_done.html", context)
