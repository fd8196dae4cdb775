"""The site's URLs plus views that misbehave, to show the enforcement middleware stops them."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def sets_an_analytics_cookie(request):
    """A page (or a library) that sets an analytics cookie without asking."""
    response = HttpResponse("<!doctype html><title>Sneaky</title><p>Sneaky page</p>")
    response.set_cookie("pd_analytics", "set-without-asking", max_age=3600, samesite="Lax")
    return response


def sets_a_cookie_in_no_group(request):
    response = HttpResponse("<!doctype html><title>Tracker</title><p>Tracker page</p>")
    response.set_cookie("tracker_xyz", "1", max_age=3600, samesite="Lax")
    return response


urlpatterns = [
    path("test/sets-analytics-cookie/", sets_an_analytics_cookie),
    path("test/sets-cookie-in-no-group/", sets_a_cookie_in_no_group),
    *site_urlpatterns,
]
