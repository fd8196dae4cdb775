from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from dsar.selectors import request_from_status_token, status_token
from dsar.services import rights_request_verify


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    rights_request, problem = rights_request_verify(token=token)
    if problem:
        return render(
            request,
            "rights/verify_failed.html",
            {"problem": problem},
            status=410 if problem == "expired" else 404,
        )
    return redirect("rights:status", token=status_token(rights_request))


@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    rights_request = request_from_status_token(token)
    if rights_request is None:
        return render(request, "404.html", status=404)
    events = rights_request.events.filter(visible_to_requester=True)
    return render(
        request, "rights/status.html", {"rights_request": rights_request, "events": events}
    )
