import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from datamap import Category, registry
from records.models import ProcessingActivity, Processor
from records.selectors import uncovered_categories
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory
from tests.visible import internals_in, visible_text

pytestmark = pytest.mark.django_db

RECORD = reverse("processing:record")
CSV = reverse("processing:csv")
PURPOSES = {
    "Account administration and access control",
    "Security monitoring and investigations",
    "Usage logging and client usage reports",
    "Aggregated analytics and product development",
    "Support enquiries",
    "Rights requests",
    "Cookies and analytics consent",
    "Marketing communications",
}


def edit_url(slug):
    return reverse("processing:edit", args=[slug])


def test_every_data_map_category_appears_in_a_processing_activity():
    covered = set()
    for activity in ProcessingActivity.objects.all():
        covered.update(activity.data_categories)
    used = {str(entry.category) for entry in registry.entries()}
    assert used - covered == set(), "data-map categories in no processing activity"
    assert uncovered_categories() == set()


def test_the_seeded_record_covers_the_purposes_of_the_privacy_notice():
    names = set(ProcessingActivity.objects.values_list("name", flat=True))
    assert names >= PURPOSES
    for activity in ProcessingActivity.objects.all():
        assert activity.location == "uk"
        assert activity.processors.exists(), activity.name
        if activity.legal_basis == "legitimate_interests":
            assert activity.legitimate_interest and activity.balancing_summary, activity.name


def test_the_seed_is_idempotent_and_keeps_the_dpos_edits():
    from importlib import import_module

    from django.apps import apps

    seed = import_module("records.migrations.0002_seed_processing_activities").seed
    ProcessingActivity.objects.filter(slug="support").update(purpose="Edited by the DPO")
    count = ProcessingActivity.objects.count()
    seed(apps, None)
    assert ProcessingActivity.objects.count() == count
    assert ProcessingActivity.objects.get(slug="support").purpose == "Edited by the DPO"


def test_the_page_shows_each_activity_with_the_data_map_entries_and_their_retention(
    client, verified_client, django_assert_num_queries
):
    verified_client(DpoFactory())
    # session, user, OTP device, retention policies, activities, their processors.
    with django_assert_num_queries(6):
        response = client.get(RECORD)
    page = response.content.decode()
    assert response.status_code == 200
    support = next(r for r in response.context["records"] if r.activity.slug == "support")
    names = {held.entry.name for held in support.held}
    assert "enquiries.enquiries" in names
    assert "accounts.contact" in names
    enquiry = next(h for h in support.held if h.entry.name == "enquiries.enquiries")
    assert enquiry.policy.category == "enquiries"
    assert enquiry.retention == "Support enquiries: 1 year after closure or the decision"
    assert "Support enquiries" in page
    assert "Cloud hosting provider" in page
    assert "United Kingdom" in page
    assert "No processing activity covers" not in page


def test_a_category_no_activity_covers_is_flagged_on_the_page(client, verified_client):
    ProcessingActivity.objects.filter(slug="support").update(data_categories=["contact"])
    verified_client(DpoFactory())
    page = client.get(RECORD).content.decode()
    assert "No processing activity covers these categories of data: Enquiry" in page


def test_the_csv_has_one_row_per_activity_and_is_audited(client, verified_client):
    dpo = DpoFactory()
    verified_client(dpo)
    response = client.get(CSV)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Activity", "Purpose", "Legal basis"]
    assert {row[0] for row in rows[1:]} == set(
        ProcessingActivity.objects.values_list("name", flat=True)
    )
    usage = next(row for row in rows if row[0] == "Usage logging and client usage reports")
    assert "Usage events (When, Action, Feature" in usage[7]
    assert "Usage events: 13 months after the event" in usage[8]
    assert AuditEntry.objects.filter(action="processing.export", actor=dpo).exists()


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory, SupportFactory])
def test_only_the_dpo_sees_or_edits_the_record(client, verified_client, factory):
    verified_client(factory())
    for url in (RECORD, CSV, edit_url("support")):
        assert client.get(url).status_code == 403, url
    assert client.post(edit_url("support"), {"name": "Hacked"}).status_code == 403
    assert ProcessingActivity.objects.get(slug="support").name == "Support enquiries"


def _form_data(activity, **overrides):
    data = {
        "name": activity.name,
        "purpose": activity.purpose,
        "legal_basis": activity.legal_basis,
        "legitimate_interest": activity.legitimate_interest,
        "balancing_summary": activity.balancing_summary,
        "people_categories": activity.people_categories,
        "data_categories": activity.data_categories,
        "recipients": activity.recipients,
        "location": activity.location,
        "security_measures": activity.security_measures,
        "processors": [p.pk for p in activity.processors.all()],
    }
    data.update(overrides)
    return data


def test_the_dpo_edits_an_activity_and_picks_its_processors_from_the_register(
    client, verified_client
):
    dpo = DpoFactory()
    verified_client(dpo)
    activity = ProcessingActivity.objects.get(slug="support")
    assert client.get(edit_url("support")).status_code == 200
    hosting = Processor.objects.get(name="Cloud hosting provider")

    response = client.post(
        edit_url("support"),
        _form_data(activity, purpose="Answer support questions quickly.", processors=[hosting.pk]),
    )

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.purpose == "Answer support questions quickly."
    assert list(activity.processors.values_list("name", flat=True)) == ["Cloud hosting provider"]
    entry = AuditEntry.objects.get(action="processing.update")
    assert entry.actor == dpo
    assert set(entry.details["changed"]) == {"purpose", "processors"}


def test_legitimate_interests_need_a_balancing_summary(client, verified_client):
    verified_client(DpoFactory())
    activity = ProcessingActivity.objects.get(slug="rights")
    response = client.post(
        edit_url("rights"),
        _form_data(activity, legal_basis="legitimate_interests", balancing_summary=""),
    )
    assert response.status_code == 400
    assert "balancing_summary" in response.context["form"].errors
    activity.refresh_from_db()
    assert activity.legal_basis == "legal_obligation"


def test_an_activity_must_cover_some_data_category(client, verified_client):
    verified_client(DpoFactory())
    activity = ProcessingActivity.objects.get(slug="support")
    data = _form_data(activity)
    data.pop("data_categories")
    response = client.post(edit_url("support"), data)
    assert response.status_code == 400
    assert "data_categories" in response.context["form"].errors
    activity.refresh_from_db()
    assert Category.ENQUIRY in activity.data_categories


def test_the_record_reads_in_words_and_each_activity_is_folded(client, verified_client):
    verified_client(DpoFactory())
    response = client.get(RECORD)
    html = response.content.decode()
    text = visible_text(response)
    assert internals_in(text) == []
    for entry in registry.entries():
        assert entry.name not in text and entry.model not in text, entry.name
    assert html.count('<details class="held"') == ProcessingActivity.objects.count()
    assert "Usage events" in text and "13 months after the event" in text
    assert "When, Action, Feature, Page" in text
