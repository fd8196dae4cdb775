"""Global Privacy Control: a browser sending ``Sec-GPC: 1`` refuses every optional cookie
until its visitor opts in on the settings page; the proof of consent records the signal."""

import csv
import io
import json

import pytest
from cookie_consent.models import Cookie, CookieGroup
from django.conf import settings
from django.test import Client

from cookies.catalogue import ANALYTICS_COOKIE, REMEMBER_COOKIE, THEME_COOKIE
from cookies.models import ConsentRecord
from cookies.services import consent_record_create
from datamap import Subject
from datamap.engines import export_subject
from tests.cookies.helpers import decide
from tests.factories import DpoFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.cookies.urls")]

NECESSARY = {"sessionid", "csrftoken", "messages", "cookie_consent"}
SNEAKY = "/test/sets-analytics-cookie/"


@pytest.fixture
def gpc_client():
    """A browser with Global Privacy Control switched on: every request says ``Sec-GPC: 1``."""
    return Client(headers={"Sec-GPC": "1"})


def test_with_the_signal_the_banner_asks_nothing_and_says_the_signal_is_honoured(gpc_client):
    response = gpc_client.get("/")

    html = response.content.decode()
    assert "Your browser asks sites not to track you (Global Privacy Control)" in html
    assert "we honour that" in html
    assert "Accept all" not in html
    assert "js/analytics.js" not in html
    assert set(response.cookies) <= NECESSARY
    assert "Sec-GPC" in response["Vary"]


def test_without_the_signal_the_banner_asks_as_before(client):
    html = client.get("/", headers={"Sec-GPC": "0"}).content.decode()

    assert "Accept all" in html
    assert "Global Privacy Control" not in html


def test_with_the_signal_no_performance_or_functionality_cookie_is_set(gpc_client):
    assert ANALYTICS_COOKIE not in gpc_client.get(SNEAKY).cookies

    beacon = gpc_client.post(
        "/cookies/analytics/visit/", '{"path": "/"}', content_type="application/json"
    )
    assert beacon.status_code == 403

    theme = gpc_client.post("/cookies/theme/", {"theme": "dark"})
    assert THEME_COOKIE not in theme.cookies


def test_the_settings_page_explains_the_signal_and_ticks_nothing(gpc_client):
    html = gpc_client.get("/cookies/").content.decode()

    assert "We treat that as your refusal, so only strictly necessary cookies are used" in html
    assert "your choice overrides the signal on this site" in html
    assert 'value="performance" id="category-performance" aria' in html  # not " checked"
    assert 'value="functionality" id="category-functionality" aria' in html


def test_ok_on_the_banner_records_the_refusal_with_the_signal_and_the_note_goes(gpc_client):
    decide(gpc_client, "reject_all")

    record = ConsentRecord.objects.get()
    assert record.gpc is True
    assert record.accepted_list == []
    assert record.declined_list == ["functionality", "performance"]
    html = gpc_client.get("/").content.decode()
    assert "cookie-banner-title" not in html


def test_a_decision_without_the_signal_records_that_none_was_sent(client):
    decide(client, "accept_all")

    assert ConsentRecord.objects.get().gpc is False


def test_opting_in_on_the_settings_page_overrides_the_signal(gpc_client):
    response = decide(
        gpc_client, "save", categories=["performance", "functionality"], method="settings"
    )

    record = ConsentRecord.objects.get()
    assert (record.method, record.gpc) == ("settings", True)
    assert record.accepted_list == ["functionality", "performance"]
    message = gpc_client.get(response["Location"]).content.decode()
    assert "overrides your browser&#x27;s Global Privacy Control signal" in message

    html = gpc_client.get("/").content.decode()
    assert "cookie-banner-title" not in html
    assert "js/analytics.js" in html
    assert gpc_client.get(SNEAKY).cookies[ANALYTICS_COOKIE].value == "set-without-asking"
    assert gpc_client.post("/cookies/theme/", {"theme": "dark"}).cookies[THEME_COOKIE]
    settings_page = gpc_client.get("/cookies/").content.decode()
    assert "the choice you made here overrides that signal on this site" in settings_page


def test_an_accept_all_from_an_old_banner_page_does_not_override_the_signal(gpc_client):
    response = decide(gpc_client, "accept_all")

    assert response["Location"] == "/cookies/"
    assert not ConsentRecord.objects.exists()
    assert settings.COOKIE_CONSENT_NAME not in response.cookies
    assert "js/analytics.js" not in gpc_client.get("/").content.decode()


def test_a_choice_made_before_the_browser_sent_the_signal_is_set_aside_while_it_does(client):
    decide(client, "accept_all")
    client.cookies[ANALYTICS_COOKIE] = "a-random-visitor-id"
    client.cookies[THEME_COOKIE] = "dark"
    client.cookies[REMEMBER_COOKIE] = "anything"

    response = client.get("/", headers={"Sec-GPC": "1"})

    html = response.content.decode()
    assert "js/analytics.js" not in html
    assert "cookies/theme-dark.css" not in html
    assert "Global Privacy Control" in html
    for name in (ANALYTICS_COOKIE, THEME_COOKIE, REMEMBER_COOKIE):
        assert response.cookies[name]["max-age"] == 0, name
    settings_page = client.get("/cookies/", headers={"Sec-GPC": "1"}).content.decode()
    assert "any choice you made here before is set aside" in settings_page

    # Switched off again, the browser's earlier choice counts as before.
    assert "js/analytics.js" in client.get("/").content.decode()


def test_the_dpo_sees_the_signal_in_the_consent_log_and_the_weekly_figures(verified_client):
    for gpc in (True, False, None):
        consent_record_create(
            visitor_id=f"visitor-{gpc}",
            user=None,
            accepted=set(),
            declined={"performance", "functionality"},
            policy_version=1,
            method="banner",
            gpc=gpc,
        )
    dpo = verified_client(DpoFactory())

    report = dpo.get("/backoffice/cookies/").content.decode()
    assert "With Global Privacy Control" in report

    response = dpo.get("/backoffice/cookies/consent-log.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-1] == "Global Privacy Control signal"
    signals = {row[5]: row[-1] for row in rows[1:]}
    assert signals == {"visitor-True": "Yes", "visitor-False": "No", "visitor-None": "Not recorded"}


def test_the_persons_copy_of_their_cookie_choices_says_whether_the_signal_was_sent(gpc_client):
    member = UserFactory()
    gpc_client.force_login(member)
    decide(gpc_client, "reject_all")

    subject = Subject.of(user_ids=[member.pk])
    section = next(s for s in export_subject(subject) if s.entry.name == "cookies.consent")
    assert section.rows[0]["gpc"] is True


def test_the_site_says_it_honours_the_signal_at_the_well_known_address(client):
    response = client.get("/.well-known/gpc.json")

    assert response.status_code == 200
    assert json.loads(response.content)["gpc"] is True


def test_a_new_cookie_after_an_opt_in_under_the_signal_refuses_everything_until_asked_again(
    gpc_client,
):
    decide(gpc_client, "accept_all", method="settings")
    assert "js/analytics.js" in gpc_client.get("/").content.decode()

    Cookie.objects.create(
        cookiegroup=CookieGroup.objects.get(varname="functionality"),
        name="pd_new_preference",
        description="A new preference.",
    )

    html = gpc_client.get("/").content.decode()
    assert "js/analytics.js" not in html
    assert "we honour that" in html
