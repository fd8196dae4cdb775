"""/account/ "What we hold about you", as the person reads it."""

import datetime
import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from communications.services import communication_preferences_update
from datamap import registry
from records.services import disclosure_record
from tests.factories import DpoFactory, UserFactory
from tests.visible import internals_in, visible_text
from usage.models import UsageEvent

pytestmark = pytest.mark.django_db

ACCOUNT = "/account/"
SUMMER = datetime.datetime(2026, 7, 14, 13, 43, 9, 783769, tzinfo=datetime.UTC)


def seed_person(events: int = 25):
    """GIVEN a person with an authenticator app, usage events, e-mail preferences, a disclosure
    to the regulator and a back-office action on their data."""
    dpo = DpoFactory()
    user = UserFactory(full_name="Ann Example")
    TOTPDevice.objects.create(user=user, name="Ann's phone", confirmed=True)
    communication_preferences_update(
        user=user, newsletter=True, webinars=False, product_updates=False
    )
    UsageEvent.objects.bulk_create(
        UsageEvent(
            occurred_at=SUMMER - datetime.timedelta(minutes=n),
            organisation=user.organisation,
            user=user,
            action="page_view",
            path="/reports/",
        )
        for n in range(events)
    )
    disclosure_record(
        recipient_type="regulator",
        recipient="Information Commissioner's Office",
        legal_basis="Legal obligation",
        categories=["usage"],
        description="Answer to an ICO enquiry",
        subject_user_ids=[user.pk],
        by=dpo,
    )
    audit.record(dpo, "rights_request.verified", target=user)
    return user


def test_what_we_hold_is_in_words_with_no_column_names_stamps_or_codes(client, verified_client):
    user = seed_person()
    verified_client(user)
    text = visible_text(client.get(ACCOUNT))
    assert internals_in(text) == []
    for raw in ["created_at", "actor_label", "disclosure__recipient_type", "+00:00", "page_view"]:
        assert raw not in text, raw
    # Headings, times with their zone, choices by their labels, booleans as Yes/No.
    assert "Type of recipient" in text and "Regulator" in text
    assert "14 Jul 2026, 14:43 BST" in text
    assert "Page view" in text
    assert "Requester's e-mail address confirmed" in text
    assert re.search(r"Authenticator apps \(1 record\).*Set up.*Yes", text)
    assert re.search(r"Newsletter Webinars .* Yes No", text)


def test_each_kind_of_data_is_a_folded_section_with_its_count_and_the_newest_rows(
    client, verified_client
):
    user = seed_person(events=25)
    verified_client(user)
    response = client.get(ACCOUNT)
    html = response.content.decode()
    held = response.context["held"]
    assert html.count('<details class="held">') == len(held)
    assert '<details class="held" open' not in html
    usage = next(table for table in held if table.title == "Usage events")
    assert usage.total == 25 and len(usage.rows) == 20
    assert 'Usage events <span class="count">(25 records)</span>' in html
    assert "Showing the newest 20 of 25 records." in visible_text(response)
    # The newest first.
    assert usage.rows[0][0] == "14 Jul 2026, 14:43 BST"


def test_kinds_of_data_we_hold_nothing_of_are_named_in_one_line(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(ACCOUNT)
    empty = [table.title for table in response.context["empty"]]
    assert "Usage events" in empty and "Contact details" not in empty
    (line,) = visible_text(response).split("We hold nothing about you in: ")[1:]
    assert line.startswith(", ".join(title.lower() for title in empty))


def test_internal_ids_never_reach_the_page(client, verified_client):
    user = seed_person(events=1)
    verified_client(user)
    response = client.get(ACCOUNT)
    for table in response.context["held"] + response.context["empty"]:
        assert not any(h.lower() in {"id", "breach id", "user"} for h in table.headers)
    assert str(user.pk) not in [
        cell for t in response.context["held"] for r in t.rows for cell in r
    ]


def test_the_page_reads_each_kind_of_data_once_however_much_there_is(
    client, verified_client, django_assert_num_queries
):
    user = seed_person(events=60)
    verified_client(user)
    # Session, user, OTP device; one query per data-map entry for its newest 20 rows (the
    # entries sharded by organisation name it from the user read above, docs/scaling.md);
    # one count for the only entry with more (usage events); the usage log of this page view
    # reads the organisation and its usage purposes.
    assert any(entry.organisation_field for entry in registry.entries())
    with django_assert_num_queries(3 + len(registry.entries()) + 1 + 2):
        assert client.get(ACCOUNT).status_code == 200


def test_another_persons_data_is_never_shown(client, verified_client):
    ann = seed_person(events=3)
    bob = UserFactory(full_name="Bob Other")
    UsageEvent.objects.create(
        occurred_at=timezone.now(), organisation=bob.organisation, user=bob, action="export"
    )
    verified_client(ann)
    response = client.get(ACCOUNT)
    usage = next(t for t in response.context["held"] if t.title == "Usage events")
    assert usage.total == 3
    assert "Bob Other" not in visible_text(response)
