"""Giving a case to a colleague (accounts.views.assignment): rights requests, enquiries and
investigations are assigned alike — the page's own "Assign to me", back to the queue, and the
same refusal of anyone who is not a current colleague."""

import re

import pytest

from tests.dsar.test_queue import filed
from tests.dsar.test_request_page import page_of
from tests.enquiries.test_assignee import an_enquiry
from tests.enquiries.test_assignee import detail as enquiry_page
from tests.factories import DpoFactory, InvestigationFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

CASES = {
    "rights request": (filed, page_of),
    "enquiry": (an_enquiry, enquiry_page),
    "investigation": (InvestigationFactory, lambda case: f"/backoffice/investigations/{case.pk}/"),
}
ASSIGN_TO_ME = re.compile(
    r'<form method="post" action="([^"]+)">(?:(?!</form>).)*?'
    r'name="assignee" value="([^"]*)">\s*<button[^>]*>Assign to me</button>',
    re.S,
)


@pytest.fixture(params=CASES, ids=list(CASES))
def case(request):
    make, page = CASES[request.param]
    made = make()
    return made, page(made)


@pytest.fixture
def dpo_client(verified_client):
    dpo = DpoFactory(full_name="Priya Shah")
    client = verified_client(dpo)
    client.user = dpo
    return client


def shown_message(response) -> str:
    return re.search(r'<p class="message [^"]*">(.*?)</p>', response.content.decode()).group(1)


def test_the_pages_assign_to_me_button_gives_the_case_to_whoever_presses_it(dpo_client, case):
    made, page = case
    action, assignee = ASSIGN_TO_ME.search(dpo_client.get(page).content.decode()).groups()

    response = dpo_client.post(action, {"assignee": assignee}, follow=True)

    made.refresh_from_db()
    assert made.assignee == dpo_client.user
    assert shown_message(response) == "Assigned to Priya Shah."
    assert not ASSIGN_TO_ME.search(response.content.decode())


def test_nobody_puts_the_case_back_in_the_queue(dpo_client, case):
    made, page = case
    action, _ = ASSIGN_TO_ME.search(dpo_client.get(page).content.decode()).groups()
    dpo_client.post(action, {"assignee": SupportFactory().pk}, follow=True)

    response = dpo_client.post(action, {"assignee": ""}, follow=True)

    made.refresh_from_db()
    assert made.assignee is None
    assert shown_message(response) == "Back in the queue."


def test_only_a_current_colleague_is_given_a_case(dpo_client, case):
    made, page = case
    action, _ = ASSIGN_TO_ME.search(dpo_client.get(page).content.decode()).groups()

    response = dpo_client.post(action, {"assignee": UserFactory().pk}, follow=True)

    made.refresh_from_db()
    assert made.assignee is None
    assert shown_message(response) == "Choose a DPO or support colleague, or nobody."
