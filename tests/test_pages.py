import pytest
from django.core.management import call_command

from accounts.models import Organisation, Role, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_offers_login_and_the_footer_links(client):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in html
    assert 'href="/privacy/"' in html
    assert 'href="/cookies/"' in html


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_account_page_needs_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_is_by_email_in_any_case(client):
    user = UserFactory(email="mixed@example.test")
    response = client.post(
        "/accounts/login/", {"username": "Mixed@Example.TEST", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/account/").context["user"] == user


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client):
    UserFactory(email="known@example.test")
    wrong = client.post("/accounts/login/", {"username": "known@example.test", "password": "x"})
    unknown = client.post("/accounts/login/", {"username": "nobody@example.test", "password": "x"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors


def test_the_account_page_shows_what_the_data_map_holds(client):
    user = UserFactory(full_name="Alice Example", job_title="Analyst")
    client.force_login(user)
    html = client.get("/account/").content.decode()
    assert "What we hold about you" in html
    assert "Alice Example" in html
    assert "Analyst" in html
    assert "A password hash is held" in html
    assert user.password not in html


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (Organisation.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (Organisation.objects.count(), User.objects.count()) == counts
    assert counts == (2, 2 * 13 + 2)
    assert User.objects.filter(role=Role.DPO).count() == 1
    assert User.objects.filter(role=Role.SUPPORT).count() == 1
    assert "dpo@privacydesk.test" in first
    assert "Password for every demo account" in first
