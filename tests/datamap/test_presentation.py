"""Every data-map entry speaks words: a title, a label per column, no ids, codes by label."""

import pytest

from datamap import Subject, registry
from datamap.presentation import (
    columns,
    csv_headers,
    entry_table,
    erasure_words,
    fields_in_words,
    is_internal_id,
)
from records.services import disclosure_record
from tests.factories import DpoFactory, UserFactory
from tests.visible import SNAKE_CASE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("entry", registry.entries(), ids=lambda e: e.name)
def test_every_entry_has_a_title_and_a_label_in_words_for_every_field(entry):
    assert entry.title and entry.title[0].isupper(), entry.name
    assert set(entry.labels) == set(entry.export_fields), entry.name
    for path, label in entry.labels.items():
        assert label != path and not SNAKE_CASE.search(label), (entry.name, path, label)
    assert csv_headers(entry) == [entry.labels[f] for f in entry.export_fields]


def test_every_entry_has_a_title_of_its_own():
    titles = [entry.title for entry in registry.entries()]
    assert len(titles) == len(set(titles))


def test_internal_ids_are_dropped_from_what_people_see_but_kept_in_the_csv():
    events = registry.entry("breaches.events")
    assert is_internal_id(events, "breach_id")
    assert "breach_id" not in [c.path for c in columns(events)]
    assert "Breach number" in csv_headers(events)
    assert fields_in_words(events) == ["When", "Decision", "Reason"]


def test_codes_are_shown_by_the_labels_of_the_entry_or_of_the_model():
    user = UserFactory()
    subject = Subject.of(user_ids=[user.pk], emails=[user.email])
    disclosure_record(
        recipient_type="regulator",
        recipient="ICO",
        legal_basis="Legal obligation",
        categories=["usage"],
        description="Answer to an enquiry",
        subject_user_ids=[user.pk],
        by=DpoFactory(),
    )
    table = entry_table(registry.entry("audit.disclosures_about"), subject)
    assert table.headers == [
        "When",
        "To",
        "Type of recipient",
        "What",
        "Legal basis",
        "Times seen that day",
    ]
    (row,) = table.rows
    assert row[2] == "Regulator"
    assert row[0].endswith(("GMT", "BST"))
    contact = entry_table(registry.entry("accounts.contact"), subject)
    assert contact.rows[0][-1] == "Member"


def test_erasure_is_described_without_field_names():
    words = erasure_words(registry.entry("usage.events"))
    assert words == "Anonymised: IP address, session hash, the link to the person removed"
    assert erasure_words(registry.entry("accounts.invitations")) == "Deleted"
    assert erasure_words(registry.entry("breaches.breaches")).startswith("Kept: ")
    assert erasure_words(registry.entry("audit.trail")) == "Personal details removed, events kept"
    for entry in registry.entries():
        assert not SNAKE_CASE.search(erasure_words(entry)), entry.name
