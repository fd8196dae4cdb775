"""The banner, the cookie settings page and the proof of each decision."""

import pytest
from django.conf import settings

from cookies.catalogue import ANALYTICS_COOKIE
from cookies.consent import visitor_hash
from cookies.models import ConsentRecord
from cookies.services import policy_draft_save, policy_publish
from tests.cookies.helpers import decide
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

NECESSARY = {"sessionid", "csrftoken", "messages", "cookie_consent"}


def test_a_first_visit_shows_the_banner_with_three_equal_choices_and_sets_only_necessary_cookies(
    client,
):
    response = client.get("/")

    html = response.content.decode()
    assert 'aria-labelledby="cookie-banner-title"' in html
    for label in ("Accept all", "Reject all", "Manage cookies"):
        assert label in html
    # Plain form posts: the banner works without JavaScript.
    assert 'action="/cookies/consent/"' in html
    assert set(response.cookies) <= NECESSARY
    assert "analytics.js" not in html


def test_nothing_is_ticked_on_the_settings_page_before_a_choice(client):
    html = client.get("/cookies/").content.decode()

    assert 'name="categories" value="performance"' in html
    assert 'value="performance" id="category-performance" aria' in html  # no " checked"
    assert 'value="functionality" id="category-functionality" aria' in html


def test_accept_all_is_recorded_with_the_policy_version_and_the_banner_goes(client):
    response = decide(client, "accept_all", next_url="/privacy/")

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    record = ConsentRecord.objects.get()
    assert record.accepted_list == ["functionality", "performance"]
    assert record.declined_list == []
    assert record.policy_version == 1
    assert record.method == "banner"
    assert record.user is None
    html = client.get("/").content.decode()
    assert "cookie-banner-title" not in html
    assert "js/analytics.js" in html


def test_reject_all_is_recorded_and_keeps_the_analytics_script_off(client):
    decide(client, "reject_all")

    record = ConsentRecord.objects.get()
    assert record.accepted_list == []
    assert record.declined_list == ["functionality", "performance"]
    html = client.get("/").content.decode()
    assert "cookie-banner-title" not in html
    assert "js/analytics.js" not in html


def test_choices_saved_on_the_settings_page_are_recorded_as_such(client):
    decide(client, "save", categories=["functionality"], method="settings", next_url="/cookies/")

    record = ConsentRecord.objects.get()
    assert record.method == "settings"
    assert record.accepted_list == ["functionality"]
    assert record.declined_list == ["performance"]
    html = client.get("/cookies/").content.decode()
    assert 'value="functionality" id="category-functionality" checked' in html


def test_the_visitor_id_is_a_keyed_hash_of_the_cookie_id_never_the_ip(client):
    decide(client, "accept_all")
    decide(client, "reject_all", method="settings")

    first, second = ConsentRecord.objects.order_by("id")
    assert first.visitor_id == second.visitor_id
    assert "127.0.0.1" not in first.visitor_id
    token = client.cookies[settings.COOKIE_CONSENT_NAME].value.split("id=")[1].strip('"')
    assert first.visitor_id == visitor_hash(token)
    assert token not in first.visitor_id


def test_a_logged_in_users_decision_names_them(client):
    member = UserFactory()
    client.force_login(member)

    decide(client, "accept_all")

    assert ConsentRecord.objects.get().user == member


def test_the_consent_form_never_redirects_off_site(client):
    response = decide(client, "accept_all", next_url="https://evil.example/")

    assert response["Location"] == "/cookies/"


def test_the_banner_returns_to_the_page_it_was_on_by_its_referer_if_it_is_ours(client):
    def banner_post(referer):
        return client.post(
            "/cookies/consent/",
            {"action": "reject_all", "method": "banner"},
            HTTP_REFERER=referer,
        )

    assert banner_post("http://testserver/privacy/")["Location"] == "http://testserver/privacy/"
    assert banner_post("https://evil.example/")["Location"] == "/cookies/"


def test_the_banner_does_not_echo_the_page_address(client):
    html = client.get("/rights/?reference=RR-SECRET").content.decode()

    assert "RR-SECRET" not in html


def test_an_unknown_action_records_nothing(client):
    response = decide(client, "accept_everything_forever")

    assert response.status_code == 302
    assert not ConsentRecord.objects.exists()


def test_withdrawing_consent_deletes_the_analytics_cookie(client):
    decide(client, "accept_all")
    client.cookies[ANALYTICS_COOKIE] = "a-random-visitor-id"

    response = decide(client, "save", categories=[], method="settings")

    assert response.cookies[ANALYTICS_COOKIE]["max-age"] == 0
    assert ConsentRecord.objects.order_by("-id").first().accepted_list == []


def test_a_new_cookie_policy_version_asks_again_and_counts_no_old_consent(client):
    decide(client, "accept_all")
    client.cookies[ANALYTICS_COOKIE] = "a-random-visitor-id"
    dpo = DpoFactory()
    draft = policy_draft_save(kind="cookies", body="New policy.", change_note="New", by=dpo)
    policy_publish(draft=draft, by=dpo)

    response = client.get("/")

    html = response.content.decode()
    assert "cookie-banner-title" in html
    assert "Our cookie policy has changed" in html
    assert "js/analytics.js" not in html
    assert response.cookies[ANALYTICS_COOKIE]["max-age"] == 0

    decide(client, "accept_all")
    assert list(ConsentRecord.objects.order_by("id").values_list("policy_version", flat=True)) == [
        1,
        2,
    ]
    assert "cookie-banner-title" not in client.get("/").content.decode()


def test_a_new_privacy_notice_does_not_ask_about_cookies_again(client):
    decide(client, "reject_all")
    dpo = DpoFactory()
    policy_publish(
        draft=policy_draft_save(kind="privacy", body="New notice.", change_note="", by=dpo),
        by=dpo,
    )

    assert "cookie-banner-title" not in client.get("/").content.decode()


def test_the_cookie_policy_lists_every_cookie_with_purpose_lifetime_and_category(client):
    html = client.get("/cookies/").content.decode()

    for name in (
        "sessionid",
        "csrftoken",
        "messages",
        "cookie_consent",
        "pd_analytics",
        "pd_theme",
        "pd_sso_handoff",
    ):
        assert f"<code>{name}</code>" in html
    assert "12 hours" in html
    assert "Performance and analytics" in html
    assert "Version 1, published" in html


def test_the_theme_is_remembered_only_with_functionality_consent(client):
    refused = client.post("/cookies/theme/", {"theme": "dark"})
    assert "pd_theme" not in refused.cookies

    decide(client, "save", categories=["functionality"], method="settings")
    saved = client.post("/cookies/theme/", {"theme": "dark"})
    assert saved.cookies["pd_theme"].value == "dark"
    assert "cookies/theme-dark.css" in client.get("/").content.decode()

    decide(client, "reject_all", method="settings")
    assert "cookies/theme-dark.css" not in client.get("/").content.decode()
