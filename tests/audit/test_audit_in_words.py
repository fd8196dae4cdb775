"""The audit trail in words (issue 15): its filters are lists of actions and kinds of record
by name, its table names each action and record the same way, and the CSV keeps the codes."""

import csv
import io
import re

import pytest
from django.urls import reverse

import audit
from audit.models import AuditEntry
from tests.factories import DpoFactory, UserFactory
from tests.visible import visible_text

pytestmark = pytest.mark.django_db

LIST = "/backoffice/audit/"


@pytest.fixture
def dpo(verified_client):
    return verified_client(DpoFactory())


def shown(response) -> list[int]:
    return [entry.id for entry in response.context["entries"]]


def options(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)[0]
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_the_filters_offer_actions_and_kinds_of_record_in_words(dpo):
    html = dpo.get(LIST).content.decode()

    actions = options(html, "action")
    assert actions[""] == "Any action"
    assert actions["user.suspend"] == "Account suspended"
    assert actions["rights_request.completed"] == "Rights request completed"
    assert actions["user."] == "Accounts: any action"
    assert re.search(r'<optgroup label="Rights requests">', html)
    kinds = options(html, "target_type")
    assert kinds[""] == "Any kind"
    assert kinds["accounts.User"] == "Account"
    assert kinds["dsar.RightsRequest"] == "Rights request"
    # No option is shown as its code.
    assert not [label for label in {**actions, **kinds}.values() if re.search(r"\w[._]\w", label)]


def test_choosing_an_action_in_words_shows_only_its_entries_by_name(dpo):
    person = UserFactory()
    suspended = audit.record(DpoFactory(), "user.suspend", target=person)
    audit.record(DpoFactory(), "person.view", target=person)

    response = dpo.get(LIST, {"action": "user.suspend", "target_type": "accounts.User"})

    assert response.status_code == 200
    assert shown(response) == [suspended.id]
    text = visible_text(response)
    assert "Account suspended" in text
    assert f"Account #{person.pk}" in text
    # The codes are there for the DPO who points at the words, not in the text.
    assert "user.suspend" not in text and "accounts.User" not in text
    assert 'title="Code in the CSV: user.suspend"' in response.content.decode()


def test_a_family_of_actions_is_one_choice(dpo):
    suspended = audit.record(None, "user.suspend", target=UserFactory())
    terminated = audit.record(None, "user.terminate", target=UserFactory())
    audit.record(None, "breach.open")

    response = dpo.get(LIST, {"action": "user."})

    assert shown(response) == [terminated.id, suspended.id]


def test_an_action_typed_by_hand_is_refused_with_the_error_at_the_top(dpo):
    response = dpo.get(LIST, {"action": "accounts.User", "target_type": "User"})

    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="form-errors" role="alert".*?</div>', html, re.S)[0]
    assert "There is a problem" in summary
    assert 'href="#id_action"' in summary and 'href="#id_target_type"' in summary
    assert "Select a valid choice" in summary


def test_the_csv_keeps_the_codes(dpo):
    person = UserFactory()
    audit.record(None, "user.suspend", target=person)

    response = dpo.get(reverse("audit:export"), {"action": "user.suspend"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][3:5] == ["user.suspend", "accounts.User"]
    assert AuditEntry.objects.filter(action="audit.export").exists()
