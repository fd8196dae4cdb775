import pytest

from breaches.models import Breach
from common.decorators import dpo_required
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def breach(open_breach):
    return open_breach()


def pages(breach: Breach) -> list[str]:
    base = f"/backoffice/breaches/{breach.pk}/"
    return [
        "/backoffice/breaches/",
        "/backoffice/breaches/new/",
        base,
        f"{base}edit/",
        f"{base}report/",
    ]


@pytest.mark.parametrize("factory", [SupportFactory, UserFactory, ClientAdminFactory])
def test_only_the_dpo_sees_the_breach_register(factory, breach, verified_client):
    client = verified_client(factory())
    for url in pages(breach):
        response = client.get(url)
        assert response.status_code == 403, url
        assert breach.title not in response.content.decode()
    response = client.post(
        f"/backoffice/breaches/{breach.pk}/decisions/",
        {"decision-kind": "not_report_ico", "decision-reason": "No risk."},
    )
    assert response.status_code == 403
    breach.refresh_from_db()
    assert breach.ico_decision == ""


def test_the_dpo_sees_every_page_of_the_register(breach, dpo_client):
    for url in pages(breach):
        assert dpo_client.get(url).status_code == 200, url


def test_the_register_asks_a_visitor_to_log_in(breach, client):
    response = client.get("/backoffice/breaches/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_dpo_needs_a_verified_second_factor(breach, client):
    client.force_login(DpoFactory())
    response = client.get(f"/backoffice/breaches/{breach.pk}/")
    # The MFA middleware or the decorator stops it; either way the breach is not shown.
    assert response.status_code in (302, 403)
    assert breach.title not in response.content.decode()


def test_the_dpo_decorator_refuses_support_and_unverified_dpo_sessions(rf):
    @dpo_required
    def view(request):
        raise AssertionError("the view must not run")

    request = rf.get("/backoffice/breaches/")
    request.user = SupportFactory()
    request.user.is_verified = lambda: True
    response = view(request)
    assert response.status_code == 403
    assert "Data Protection Officer only" in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    request.user = DpoFactory()
    request.user.is_verified = lambda: False
    response = view(request)
    assert response.status_code == 403
    assert "two-step verification" in response.content.decode()


def test_the_dpo_decorator_lets_a_verified_dpo_in(rf):
    @dpo_required
    def view(request):
        from django.http import HttpResponse

        return HttpResponse("in")

    request = rf.get("/backoffice/breaches/")
    request.user = DpoFactory()
    request.user.is_verified = lambda: True
    assert view(request).content == b"in"


def test_only_the_dpo_has_the_breaches_link(breach, verified_client):
    support = verified_client(SupportFactory())
    assert (
        "/backoffice/breaches/" not in support.get("/backoffice/investigations/").content.decode()
    )


def test_the_dpo_has_the_breaches_link(breach, dpo_client):
    assert "/backoffice/breaches/" in dpo_client.get("/backoffice/investigations/").content.decode()
