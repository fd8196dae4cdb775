"""E-mail subscriptions: opted into, never pre-ticked, stopped by one link or one objection."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from communications.models import CommunicationPreferences, MarketingTopic
from communications.selectors import may_send_marketing, unsubscribe_url
from communications.services import (
    communication_preferences_update,
    marketing_object,
    marketing_send,
)
from communications.tasks import send_marketing
from tests.factories import CommunicationPreferencesFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/account/communications/"


def preferences(user):
    return CommunicationPreferences.objects.get(user=user)


def path_of(url):
    return urlsplit(url).path


# --- the preferences page -----------------------------------------------------------------


def test_nothing_is_pre_ticked_for_someone_who_never_chose(client):
    client.force_login(UserFactory())
    html = client.get(PAGE).content.decode()
    for topic in MarketingTopic.values:
        assert f'name="{topic}"' in html
    assert "checked" not in html
    assert not CommunicationPreferences.objects.exists()


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_opts_in_and_out_and_each_change_is_audited(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PAGE, {"newsletter": "on", "webinars": "on"})
    assert response.status_code == 302
    assert (preferences(user).newsletter, preferences(user).webinars) == (True, True)
    assert not preferences(user).product_updates
    assert may_send_marketing(user, "newsletter")
    html = client.get(PAGE).content.decode()
    assert html.count("checked") == 2

    client.post(PAGE, {"webinars": "on"})
    assert not preferences(user).newsletter
    assert not may_send_marketing(user, "newsletter")
    entries = AuditEntry.objects.filter(action="communications.update").order_by("id")
    assert [e.details for e in entries] == [
        {"newsletter": True, "webinars": True},
        {"newsletter": False},
    ]


def test_objecting_to_all_marketing_stops_every_topic(client):
    user = UserFactory()
    CommunicationPreferencesFactory(user=user, newsletter=True, webinars=True, product_updates=True)
    client.force_login(user)
    response = client.post("/account/communications/object/")
    assert response.status_code == 302

    assert preferences(user).marketing_objection_at is not None
    for topic in MarketingTopic.values:
        assert not may_send_marketing(user, topic)
    assert "You have objected to all marketing" in client.get(PAGE).content.decode()
    entry = AuditEntry.objects.get(action="communications.marketing_objection")
    assert entry.details == {"source": "account"}
    # Ticking a topic again sends nothing while the objection stands.
    client.post(PAGE, {"newsletter": "on"})
    assert not may_send_marketing(user, "newsletter")


def test_an_objection_from_anywhere_stops_sends_even_when_topics_stay_ticked():
    user = UserFactory()
    CommunicationPreferencesFactory(user=user, newsletter=True)
    marketing_object(user=user, by=None, source="rights_request")
    communication_preferences_update(
        user=user, newsletter=True, webinars=True, product_updates=True
    )
    for topic in MarketingTopic.values:
        assert not may_send_marketing(user, topic)


def test_withdrawing_the_objection_lets_the_user_opt_in_again(client):
    user = UserFactory()
    marketing_object(user=user, by=user, source="account")
    client.force_login(user)
    client.post("/account/communications/withdraw-objection/")
    client.post(PAGE, {"product_updates": "on"})
    assert may_send_marketing(user, "product_updates")
    assert AuditEntry.objects.filter(action="communications.marketing_objection_withdrawn").exists()


# --- the unsubscribe link -----------------------------------------------------------------


def test_the_unsubscribe_link_confirms_on_get_and_unsubscribes_on_post_without_login():
    user = UserFactory()
    CommunicationPreferencesFactory(user=user, newsletter=True, webinars=True)
    url = path_of(unsubscribe_url(user=user, topic="newsletter"))
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(url)
    assert page.status_code == 200
    assert "Unsubscribe from newsletter" in page.content.decode()
    assert preferences(user).newsletter  # a mail scanner's GET changes nothing

    token = page.cookies.get("csrftoken")
    data = {"csrfmiddlewaretoken": token.value} if token else {}
    done = browser.post(url, data)
    assert done.status_code == 200
    assert "no more newsletter" in done.content.decode()
    assert not preferences(user).newsletter
    assert preferences(user).webinars
    entry = AuditEntry.objects.get(action="communications.unsubscribe")
    assert entry.details == {"topic": "newsletter"}


def test_a_one_click_unsubscribe_from_a_mail_provider_works_without_cookies():
    user = UserFactory()
    CommunicationPreferencesFactory(user=user, webinars=True)
    url = path_of(unsubscribe_url(user=user, topic="webinars"))
    response = Client(enforce_csrf_checks=True).post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not preferences(user).webinars


def test_the_link_can_object_to_all_marketing():
    user = UserFactory()
    CommunicationPreferencesFactory(user=user, newsletter=True, webinars=True)
    url = path_of(unsubscribe_url(user=user, topic="newsletter"))
    Client().post(url, {"scope": "all"})
    assert preferences(user).marketing_objection_at is not None
    assert not may_send_marketing(user, "webinars")


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "nonsense", lambda t: t[1:]])
def test_a_tampered_unsubscribe_link_gets_a_clear_error_page_and_changes_nothing(mangle):
    user = UserFactory()
    CommunicationPreferencesFactory(user=user, newsletter=True)
    url = path_of(unsubscribe_url(user=user, topic="newsletter"))
    token = url.rstrip("/").rsplit("/", 1)[1]
    bad = url.replace(token, mangle(token))
    for response in (Client().get(bad), Client().post(bad)):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert preferences(user).newsletter


# --- sending ------------------------------------------------------------------------------


@pytest.fixture
def audience():
    """Who opted in to the newsletter, and who must still get nothing."""
    wanted = [UserFactory(email=f"reader{n}@example.test") for n in range(3)]
    for user in wanted:
        CommunicationPreferencesFactory(user=user, newsletter=True)
    webinars_only = UserFactory(email="webinars@example.test")
    CommunicationPreferencesFactory(user=webinars_only, webinars=True)
    objector = UserFactory(email="objector@example.test")
    CommunicationPreferencesFactory(user=objector, newsletter=True)
    marketing_object(user=objector, by=objector, source="account")
    suspended = UserFactory(email="suspended@example.test", status=User.Status.SUSPENDED)
    CommunicationPreferencesFactory(user=suspended, newsletter=True)
    UserFactory(email="never-chose@example.test")
    return wanted


def test_marketing_goes_only_to_opted_in_active_non_objecting_users(audience, mailoutbox):
    sent = marketing_send(topic="newsletter", subject="Spring news", body="Hello & welcome.")

    assert sent == 3
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(u.email for u in audience)
    entry = AuditEntry.objects.get(action="marketing.send")
    assert entry.details == {"topic": "newsletter", "recipients": 3}


def test_each_marketing_email_has_its_own_working_unsubscribe_link(audience, mailoutbox):
    marketing_send(topic="newsletter", subject="Spring news", body="Hello & welcome.")

    links = set()
    for mail in mailoutbox:
        header = mail.extra_headers["List-Unsubscribe"]
        assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = re.fullmatch(r"<(.+)>", header).group(1)
        assert link in mail.body
        assert "Hello & welcome." in mail.body
        links.add(link)
    assert len(links) == 3

    first = mailoutbox[0]
    link = re.fullmatch(r"<(.+)>", first.extra_headers["List-Unsubscribe"]).group(1)
    Client().post(path_of(link))
    reader = User.objects.get(email=first.to[0])
    assert not may_send_marketing(reader, "newsletter")
    mailoutbox.clear()
    assert marketing_send(topic="newsletter", subject="Summer news", body="Hi.") == 2


def test_sending_the_same_email_again_reaches_only_people_who_have_not_had_it(audience, mailoutbox):
    assert send_marketing.delay("newsletter", "Spring news", "Hello.").get() == 3
    assert send_marketing.delay("newsletter", "Spring news", "Hello.").get() == 0
    assert len(mailoutbox) == 3

    newcomer = UserFactory(email="newcomer@example.test")
    CommunicationPreferencesFactory(user=newcomer, newsletter=True)
    assert send_marketing.delay("newsletter", "Spring news", "Hello.").get() == 1
    assert mailoutbox[-1].to == ["newcomer@example.test"]
    # Another e-mail is another send: everyone gets it.
    assert send_marketing.delay("newsletter", "Autumn news", "Hello.").get() == 4


def test_the_task_sends_the_same_way(audience, mailoutbox):
    assert send_marketing.delay("newsletter", "Spring news", "Hello.").get() == 3
    assert len(mailoutbox) == 3


def test_the_command_sends_and_shows_progress(audience, mailoutbox, tmp_path, capsys):
    body = tmp_path / "body.txt"
    body.write_text("Our spring newsletter.", encoding="utf-8")
    call_command(
        "send_marketing", "--topic", "newsletter", "--subject", "Spring", "--body-file", str(body)
    )
    out = capsys.readouterr().out
    assert "sending to 3 recipient(s)" in out
    assert "sent 3/3" in out
    assert "Sent 3 e-mail(s)." in out
    assert len(mailoutbox) == 3


def test_the_command_dry_run_sends_nothing(audience, mailoutbox, tmp_path, capsys):
    body = tmp_path / "body.txt"
    body.write_text("Hi.", encoding="utf-8")
    call_command(
        "send_marketing",
        "--topic",
        "newsletter",
        "--subject",
        "Spring",
        "--body-file",
        str(body),
        "--dry-run",
    )
    assert "3 recipient(s) would be sent" in capsys.readouterr().out
    assert mailoutbox == []


def test_service_notices_are_not_marketing_and_reach_an_objector(
    mailoutbox, django_capture_on_commit_callbacks
):
    from accounts.tasks import notice_enqueue

    user = UserFactory()
    marketing_object(user=user, by=user, source="account")
    with django_capture_on_commit_callbacks(execute=True):
        notice_enqueue(user=user, kind="password_changed")
    assert len(mailoutbox) == 1
