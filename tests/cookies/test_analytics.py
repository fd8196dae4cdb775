"""First-party analytics: recorded only with performance consent, never a path with a token."""

import pytest

from cookies.catalogue import ANALYTICS_COOKIE
from cookies.models import PageVisitCount
from tests.cookies.helpers import decide, set_consent

pytestmark = pytest.mark.django_db


def visit(client, path):
    return client.post("/cookies/analytics/visit/", {"path": path}, content_type="application/json")


def test_without_consent_the_server_refuses_to_record_a_visit(client):
    response = visit(client, "/privacy/")

    assert response.status_code == 403
    assert response.json() == {"recorded": False, "reason": "no consent"}
    assert not PageVisitCount.objects.exists()
    assert ANALYTICS_COOKIE not in response.cookies


def test_functionality_consent_is_not_analytics_consent(client):
    set_consent(client, accepted={"functionality"})

    assert visit(client, "/privacy/").status_code == 403
    assert not PageVisitCount.objects.exists()


def test_with_consent_visits_are_counted_and_new_visitors_told_apart(client):
    decide(client, "accept_all")

    first = visit(client, "/privacy/")
    visit(client, "/privacy/")

    assert first.json() == {"recorded": True}
    assert client.cookies[ANALYTICS_COOKIE].value
    row = PageVisitCount.objects.get()
    assert (row.route, row.visits, row.new_visitors) == ("/privacy/", 2, 1)


def test_the_route_is_recorded_never_a_token_in_the_path(client):
    decide(client, "accept_all")

    visit(client, "/rights/verify/a-secret-token-1234/")

    routes = list(PageVisitCount.objects.values_list("route", flat=True))
    assert routes and "a-secret-token-1234" not in routes[0]


def test_an_unknown_page_or_a_bad_body_records_nothing(client):
    decide(client, "accept_all")

    assert visit(client, "/no/such/page/").status_code == 400
    assert visit(client, "https://elsewhere.example/").status_code == 400
    bad = client.post("/cookies/analytics/visit/", "not json", content_type="application/json")
    assert bad.status_code == 400
    assert not PageVisitCount.objects.exists()


def test_the_analytics_endpoint_keeps_its_csrf_check(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    decide(client, "accept_all")

    assert visit(strict, "/privacy/").status_code == 403
    assert not PageVisitCount.objects.exists()
