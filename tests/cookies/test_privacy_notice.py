"""The privacy notice generated from the records: every section of the company's notice in
order, the tables from the data map, the record of processing and the retention schedule,
a diff per published version, and an e-mail to active users when purposes, recipients or
retention change."""

import datetime

import pytest
from django.utils.html import escape

from accounts.models import User
from audit.models import AuditEntry
from cookies.demo import privacy_notice_demo_publish
from cookies.models import NoticeChangeEmail, PolicyVersion
from cookies.selectors import policy_draft
from cookies.services import policy_draft_save, policy_publish
from cookies.tasks import send_notice_change
from datamap import Category, registry
from datamap.notice import INFORMATION_TYPES
from records.models import ProcessingActivity, Processor
from retention.models import RetentionPolicy
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

# The company's notice (../shared/notice/privacy-notice.txt), section by section.
COMPANY_SECTIONS = [
    "1. How we use your data to operate our products to you",
    "2. How we obtain and use your data",
    "3. How long we keep your data for",
    "4. Our legal basis for processing your information",
    "5. Who we share your data with",
    "6. Where we store your data",
    "7. Use of automated decision making or profiling",
    "8. Your rights in relation to the data processing we carry out",
    "9. Your right to complain",
    "10. How we use cookies",
]


def publish_draft(dpo, **changes) -> PolicyVersion:
    """Publish the privacy notice's draft (the one cookies migration 0007 seeds, or a new one)."""
    draft = policy_draft(PolicyVersion.Kind.PRIVACY)
    if draft is None or changes:
        current = draft or PolicyVersion.objects.filter(kind="privacy").order_by("-number")[0]
        sections = {**current.sections, **changes.get("sections", {})}
        draft = policy_draft_save(
            kind="privacy",
            body=changes.get("body", current.body),
            sections=sections,
            change_note=changes.get("change_note", "An edit"),
            by=dpo,
        )
    return policy_publish(draft=draft, by=dpo)


@pytest.fixture
def dpo():
    return DpoFactory()


@pytest.fixture
def notice(dpo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return publish_draft(dpo)


def page(client, path="/privacy/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_notice_has_every_section_of_the_company_notice_in_its_order(client, notice):
    html = page(client)

    positions = [html.find(f">{escape(heading)}</h2>") for heading in COMPANY_SECTIONS]
    assert -1 not in positions, dict(zip(COMPANY_SECTIONS, positions, strict=True))
    assert positions == sorted(positions)
    assert "Version 2, published" in html


def test_the_data_table_lists_each_kind_of_data_the_data_map_holds_with_its_source(client, notice):
    html = page(client)

    held = {entry.category for entry in registry.entries()}
    for category in Category:
        if category in held:
            info = INFORMATION_TYPES[category]
            assert f'<th scope="row">{escape(info.name)}</th>' in html
            assert escape(info.description) in html
            assert escape(info.source) in html
    assert "Source of information" in html


def test_every_kind_of_data_the_data_map_holds_has_words_for_the_notice():
    held = {entry.category for entry in registry.entries()}

    assert held <= set(INFORMATION_TYPES)


def test_the_legitimate_interests_table_shows_each_balancing_summary(client, notice):
    html = page(client)

    relying = ProcessingActivity.objects.filter(legal_basis="legitimate_interests")
    assert relying.exists()
    for activity in relying:
        assert escape(activity.balancing_summary) in html
    assert "Monitoring and safeguarding our data and systems" in html
    assert "Why it does not override your interests" in html


def test_purposes_and_legal_bases_come_from_the_record_of_processing(client, notice):
    html = page(client)

    for activity in ProcessingActivity.objects.all():
        assert escape(activity.purpose) in html
    assert "Legal obligation" in html


def test_retention_is_shown_in_words(client, notice):
    html = page(client)

    assert "Kept while your account is open, then 180 days after it ends" in html
    assert "Kept 90 days after it was recorded" in html  # login and session logs
    assert "security_logs" not in html


def test_the_dpo_address_and_the_consumer_contact_notice_come_from_settings(client, dpo, settings):
    settings.DPO_EMAIL = "privacy-officer@example.test"
    settings.CONSUMER_CONTACT_NOTICE_URL = "https://example.test/contact-notice/"
    settings.CONTROLLER_NAME = "Example Software Ltd"
    publish_draft(dpo)

    html = page(client)

    assert 'href="mailto:privacy-officer@example.test"' in html
    link = '<a href="https://example.test/contact-notice/">Consumer Contact Privacy Notice</a>'
    assert link in html
    assert "Example Software Ltd is the controller" in html


def test_the_notice_gives_the_icos_website_phone_and_address(client, notice):
    html = page(client)

    assert '<a href="https://ico.org.uk/">www.ico.org.uk</a>' in html
    assert "0303 123 1113" in html
    assert "Wycliffe House, Water Lane, Wilmslow, SK9 5AF" in html


def test_the_rights_say_that_cookies_and_newsletters_rely_on_consent(client, notice):
    html = page(client)

    rights = html[html.find("8. Your rights") : html.find("9. Your right to complain")]
    withdrawal = rights[rights.find("Withdrawal of consent") :]
    withdrawal = withdrawal[: withdrawal.find("</li>")]
    assert "cookies" in withdrawal and "newsletters" in withdrawal
    assert 'href="/cookies/"' in withdrawal
    assert 'href="/account/communications/"' in withdrawal
    assert "do not rely on your approval" not in html
    for right in ["Access", "Rectification", "Erasure", "Restriction", "Portability"]:
        assert f"<strong>{right}:</strong>" in rights
    assert "We do not use automated decision-making or profiling" in html


@pytest.mark.parametrize("path", ["/privacy/", "/cookies/"])
def test_the_browser_advice_and_aboutcookies_link_are_on_both_pages(client, notice, path):
    html = page(client, path)

    assert '<a href="https://www.aboutcookies.org/">www.aboutcookies.org</a>' in html
    assert "block all cookies" in html


def test_the_cookie_types_come_from_the_cookie_groups(client, notice):
    html = page(client)

    cookies = html[html.find("10. How we use cookies") :]
    assert "Strictly necessary" in cookies
    assert "Only with your consent" in cookies


def test_publishing_records_what_changed_and_shows_it_in_both_histories(
    client, dpo, notice, verified_client
):
    edited = publish_draft(
        dpo, sections={"automated": "We never decide anything about you by machine alone."}
    )

    added = [line["text"] for line in edited.diff if line["op"] == "added"]
    removed = [line["text"] for line in edited.diff if line["op"] == "removed"]
    assert "We never decide anything about you by machine alone." in added
    assert any("We do not use automated decision-making" in line for line in removed)
    public = page(client, "/privacy/versions/3/")
    assert "What changed from version 2" in public
    assert '<ins><span class="visually-hidden">Added: </span>We never decide' in public
    assert page(client, "/privacy/").count("What changed in this version") == 1
    office = verified_client(dpo).get("/backoffice/cookies/notices/privacy/versions/3/")
    assert "We never decide anything about you by machine alone." in office.content.decode()
    entry = AuditEntry.objects.filter(action="cookies.policy_published").latest("id")
    assert entry.details["number"] == 3 and entry.details["lines_changed"] >= 2


def test_a_published_version_keeps_the_tables_it_was_published_with(client, dpo, notice):
    RetentionPolicy.objects.filter(category="account").update(days=365)

    assert "then 180 days after it ends" in page(client)  # not published yet
    publish_draft(dpo)

    assert "then 1 year after it ends" in page(client)
    assert "then 180 days after it ends" in page(client, "/privacy/versions/2/")


def test_a_change_of_retention_emails_each_active_user_once(
    dpo, notice, mailoutbox, django_capture_on_commit_callbacks
):
    active = UserFactory()
    UserFactory(status=User.Status.SUSPENDED)
    UserFactory(status=User.Status.TERMINATED)
    mailoutbox.clear()
    RetentionPolicy.objects.filter(category="usage_events").update(days=180)

    with django_capture_on_commit_callbacks(execute=True):
        version = publish_draft(dpo)

    assert version.material_changes == ["retention"]
    recipients = sorted(message.to[0] for message in mailoutbox)
    expected = sorted(User.objects.filter(status="active").values_list("email", flat=True))
    assert recipients == expected and active.email in recipients
    message = next(m for m in mailoutbox if m.to == [active.email])
    assert (
        "How long we keep your data: Usage events (kept 180 days after it was recorded)."
        in message.body
    )
    assert "/privacy/" in message.body
    assert send_notice_change(version.pk) == 0  # running the send again sends nothing more
    assert len(mailoutbox) == len(expected)
    assert NoticeChangeEmail.objects.filter(version=version).count() == len(expected)


def test_a_change_of_service_providers_is_a_change_of_recipients(
    dpo, notice, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory()
    Processor.objects.create(
        name="Analytics warehouse",
        service="Keeps the usage figures.",
        data_categories=["usage"],
        storage_countries=["GB"],
        agreement_date=datetime.date(2026, 1, 5),
        no_own_use_clause=True,
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        version = publish_draft(dpo)

    assert version.material_changes == ["recipients"]
    assert "Who receives your data: Analytics warehouse." in mailoutbox[0].body


def test_an_edit_of_the_prose_alone_emails_no_one(
    dpo, notice, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        version = publish_draft(dpo, body="A clearer introduction.")

    assert version.material_changes == []
    assert mailoutbox == []


def test_the_draft_page_previews_the_notice_and_says_whether_users_will_be_emailed(
    dpo, notice, verified_client
):
    office = verified_client(dpo)
    policy_draft_save(
        kind="privacy", body=notice.body, sections=notice.sections, change_note="", by=dpo
    )
    html = office.get("/backoffice/cookies/notices/privacy/draft/").content.decode()
    assert "publishing e-mails no one" in html
    assert "4. Our legal basis for processing your information" in html

    RetentionPolicy.objects.filter(category="usage_events").update(days=180)
    html = office.get("/backoffice/cookies/notices/privacy/draft/").content.decode()
    assert "Publishing e-mails every active user" in html
    assert "how long we keep your data" in html


def test_the_dpo_edits_each_section_in_the_back_office(dpo, notice, verified_client, client):
    office = verified_client(dpo)
    form = {"body": "Our introduction.", "change_note": "Shorter"}
    form |= {f"section_{key}": f"Prose of {key}." for key in notice.sections}

    assert office.post("/backoffice/cookies/notices/privacy/draft/", form).status_code == 302
    assert office.post("/backoffice/cookies/notices/privacy/publish/").status_code == 302

    html = page(client)
    assert "Prose of rights." in html and "Our introduction." in html
    assert "Kept while your account is open" in html  # the tables are still generated


@pytest.mark.parametrize("factory", [SupportFactory, ClientAdminFactory, UserFactory])
def test_only_the_dpo_publishes_or_reads_the_changes(verified_client, factory, notice):
    other = verified_client(factory())

    assert other.post("/backoffice/cookies/notices/privacy/publish/").status_code == 403
    assert other.get("/backoffice/cookies/notices/privacy/versions/2/").status_code == 403
    assert PolicyVersion.objects.filter(kind="privacy", number__isnull=False).count() == 2


def test_an_unknown_version_is_not_found(verified_client, dpo):
    office = verified_client(dpo)

    assert office.get("/backoffice/cookies/notices/privacy/versions/99/").status_code == 404
    assert office.get("/backoffice/cookies/notices/nothing/versions/1/").status_code == 404


def test_the_service_providers_and_their_transfers_come_from_the_processor_register(client, notice):
    html = page(client)

    sharing = html[html.find("5. Who we share") : html.find("6. Where we store")]
    storage = html[html.find("6. Where we store") : html.find("7. Use of automated")]
    assert '<th scope="row">Microsoft 365</th>' in sharing
    assert "Cloud hosting provider" in sharing
    assert "backs up in Ireland and the Netherlands" in storage
    assert "Ireland: UK adequacy regulations" in storage
    assert "None needed: the data stays in the United Kingdom" in storage


def test_the_notice_page_reads_the_current_version_and_the_history(
    client, notice, django_assert_num_queries
):
    client.get("/privacy/")  # the cookie catalogue is cached from then on

    # The current version whole, then the history without the versions' texts.
    with django_assert_num_queries(2):
        assert client.get("/privacy/").status_code == 200


def test_a_new_draft_after_the_first_version_starts_from_the_companys_words(verified_client, dpo):
    policy_draft(PolicyVersion.Kind.PRIVACY).delete()

    html = verified_client(dpo).get("/backoffice/cookies/notices/privacy/draft/").content.decode()

    assert "Operating our products and administering accounts" in html


def test_the_demo_publishes_the_generated_notice_once_even_without_the_seeded_draft(dpo):
    policy_draft(PolicyVersion.Kind.PRIVACY).delete()

    published = privacy_notice_demo_publish(dpo=dpo)

    assert published.number == 2 and published.snapshot["retention"]
    assert privacy_notice_demo_publish(dpo=dpo) is None


def test_the_dpo_is_warned_when_the_published_notice_no_longer_matches_the_records(
    verified_client, dpo, notice, settings
):
    office = verified_client(dpo)
    assert "no longer matches" not in office.get("/backoffice/cookies/notices/").content.decode()

    settings.DPO_EMAIL = "new-dpo@example.test"
    RetentionPolicy.objects.filter(category="usage_events").update(days=180)

    html = office.get("/backoffice/cookies/notices/").content.decode()
    assert "The published notice no longer matches the records" in html
    assert "How long we keep your data" in html
    assert "The Data Protection Officer&#x27;s address" in html
