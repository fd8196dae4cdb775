"""Versioned privacy notice and cookie policy, edited by the DPO, sanitised on output."""

import pytest

from audit.models import AuditEntry
from cookies.models import PolicyVersion
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_shows_version_one_seeded_from_the_old_page(client):
    html = client.get("/privacy/").content.decode()

    assert "<h1>Privacy notice</h1>" in html
    assert "Version 1, published" in html
    assert "<h2>Access control and security</h2>" in html
    assert 'href="/cookies/"' in html
    assert "Version 1 (current)" in html


def test_the_dpo_drafts_and_publishes_a_new_notice_and_the_old_one_stays_in_the_history(
    client, verified_client
):
    dpo = verified_client(DpoFactory())

    saved = dpo.post(
        "/backoffice/cookies/notices/privacy/draft/",
        {"body": "## New section\n\nWe now say more.", "change_note": "Added a section"},
    )
    assert saved.status_code == 302
    assert "We now say more" not in client.get("/privacy/").content.decode()  # a draft is private

    published = dpo.post("/backoffice/cookies/notices/privacy/publish/")
    assert published.status_code == 302

    html = client.get("/privacy/").content.decode()
    assert "<h2>New section</h2>" in html
    assert "Version 2, published" in html
    assert 'href="/privacy/versions/1/"' in html
    old = client.get("/privacy/versions/1/").content.decode()
    assert "Access control and security" in old
    assert "no longer current" in old
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["cookies.policy_draft_saved", "cookies.policy_published"]


def test_markdown_is_sanitised_on_output(client, verified_client):
    dpo = verified_client(DpoFactory())
    dpo.post(
        "/backoffice/cookies/notices/privacy/draft/",
        {
            "body": "Hello <script>alert(1)</script> [x](javascript:alert(2)) "
            '<img src=x onerror="alert(3)">',
            "change_note": "",
        },
    )
    dpo.post("/backoffice/cookies/notices/privacy/publish/")

    html = client.get("/privacy/").content.decode()
    assert "<script>alert(1)" not in html
    assert "javascript:alert" not in html
    assert "onerror" not in html


def test_publishing_a_new_cookie_policy_is_audited_and_bumps_the_version(verified_client):
    dpo = verified_client(DpoFactory())
    dpo.post("/backoffice/cookies/notices/cookies/draft/", {"body": "v2", "change_note": "x"})
    dpo.post("/backoffice/cookies/notices/cookies/publish/")

    assert PolicyVersion.objects.get(kind="cookies", number=2).body == "v2"
    entry = AuditEntry.objects.filter(action="cookies.policy_published").get()
    assert entry.details["kind"] == "cookies" and entry.details["number"] == 2
    assert entry.details["lines_changed"] > 0 and entry.details["changed"] == []


def test_a_draft_can_be_discarded_and_that_is_audited(verified_client):
    dpo = verified_client(DpoFactory())
    dpo.post("/backoffice/cookies/notices/cookies/draft/", {"body": "v2", "change_note": ""})

    dpo.post("/backoffice/cookies/notices/cookies/discard/")

    assert not PolicyVersion.objects.filter(kind="cookies", published_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="cookies.policy_draft_discarded").exists()


def test_publishing_without_a_draft_changes_nothing(verified_client):
    dpo = verified_client(DpoFactory())

    dpo.post("/backoffice/cookies/notices/cookies/publish/")

    assert PolicyVersion.objects.filter(kind="cookies").count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/backoffice/cookies/",
        "/backoffice/cookies/notices/",
        "/backoffice/cookies/notices/privacy/draft/",
        "/backoffice/cookies/consent-log.csv",
    ],
)
def test_the_back_office_pages_are_for_staff_only(client, verified_client, path):
    assert client.get(path).status_code == 302  # to the login page
    member = verified_client(UserFactory())
    assert member.get(path).status_code == 403


def test_a_member_cannot_publish(verified_client):
    member = verified_client(UserFactory())

    assert member.post("/backoffice/cookies/notices/privacy/publish/").status_code == 403
    assert not PolicyVersion.objects.filter(kind="privacy", number=2).exists()
