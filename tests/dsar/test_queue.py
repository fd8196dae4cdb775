"""The DPO's queue of rights requests: who may see it, its filters, order, counts and marks."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from dsar.models import Channel, RequestKind, State
from dsar.services.filing import rights_request_file
from dsar.services.steps import (
    rights_request_ask_requester,
    rights_request_assign,
    rights_request_complete,
    rights_request_reject,
    rights_request_start,
    rights_request_withdraw,
)
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/backoffice/requests/"
# A Monday; the requests below fall due around it.
TODAY = datetime.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC), tick=False):
        yield


def filed(
    received: datetime.date | None = TODAY,
    *,
    state: str = State.VERIFIED,
    kind: str = RequestKind.ACCESS,
    name: str = "Ann Able",
    email: str = "ann@example.test",
    by=None,
):
    """A request the DPO logged (received on ``received``), then moved to ``state``."""
    by = by or DpoFactory()
    received_at = timezone.make_aware(datetime.datetime.combine(received, datetime.time(11)))
    request = rights_request_file(
        kind=kind,
        requester_name=name,
        requester_email=email,
        channel=Channel.EMAIL,
        description="Please answer.",
        filed_by=by,
        received_at=received_at,
        verified=state != State.AWAITING_VERIFICATION,
    )
    if state in (State.IN_PROGRESS, State.AWAITING_REQUESTER, State.COMPLETED):
        rights_request_start(request=request, by=by)
    if state == State.AWAITING_REQUESTER:
        rights_request_ask_requester(request=request, message="Which account?", by=by)
    elif state == State.COMPLETED:
        rights_request_complete(request=request, outcome="Sent.", by=by)
    elif state == State.REJECTED:
        rights_request_reject(request=request, reason="Fifth identical request.", by=by)
    elif state == State.WITHDRAWN:
        rights_request_withdraw(request=request, by=by)
    request.refresh_from_db()
    return request


def references(response) -> list[str]:
    """The references in the queue's table, in the order shown."""
    return re.findall(
        r'<td><a href="/backoffice/requests/(RR-[\d-]+)/">', response.content.decode()
    )


@pytest.fixture
def dpo_client(verified_client):
    dpo = DpoFactory(full_name="Priya Shah")
    client = verified_client(dpo)
    client.user = dpo
    return client


# --- who may enter ------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory])
def test_members_and_client_admins_are_refused_every_page(verified_client, factory):
    request = filed()
    client = verified_client(factory())
    for url in (QUEUE, f"{QUEUE}{request.reference}/", f"{QUEUE}new/", f"{QUEUE}letters/"):
        response = client.get(url)
        assert response.status_code == 403
        assert request.reference not in response.content.decode()
    response = client.post(f"{QUEUE}{request.reference}/notes/", {"note-body": "hello"})
    assert response.status_code == 403
    assert not request.events.filter(kind="note").exists()


@pytest.mark.parametrize("factory", [DpoFactory, SupportFactory])
def test_the_dpo_and_support_work_the_queue(verified_client, factory):
    request = filed()
    client = verified_client(factory())
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert references(response) == [request.reference]
    assert client.get(f"{QUEUE}{request.reference}/").status_code == 200


def test_staff_without_a_verified_second_factor_see_no_request(client):
    request = filed()
    client.force_login(DpoFactory())
    for url in (QUEUE, f"{QUEUE}{request.reference}/"):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert request.reference not in response.content.decode()
        assert "ann@example.test" not in response.content.decode()


def test_the_back_office_opens_on_the_rights_request_queue(dpo_client):
    page = dpo_client.get("/account/").content.decode()
    # Issue 8: the back office opens on its dashboard; the queue is the next link.
    assert re.search(r'href="/backoffice/"[^>]*>\s*Back office', page)
    nav = dpo_client.get(QUEUE).content.decode()
    nav = nav[nav.index('aria-label="Back office"') :]
    links = re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert links[:2] == [
        ("/backoffice/", "Dashboard"),
        ("/backoffice/requests/", "Rights requests"),
    ]
    assert 'aria-current="page">Rights requests' in nav


# --- order, marks and counts ---------------------------------------------------------------


def test_the_queue_is_sorted_by_due_date_with_undated_requests_last(dpo_client):
    later = filed(datetime.date(2026, 3, 10))  # due 10 April
    unverified = filed(state=State.AWAITING_VERIFICATION)  # no due date yet
    overdue = filed(datetime.date(2026, 2, 2))  # due 2 March
    soon = filed(datetime.date(2026, 2, 18))  # due 18 March
    response = dpo_client.get(QUEUE)
    assert references(response) == [
        overdue.reference,
        soon.reference,
        later.reference,
        unverified.reference,
    ]


def test_overdue_and_due_soon_requests_are_marked_in_words(dpo_client):
    overdue = filed(datetime.date(2026, 2, 2))
    soon = filed(datetime.date(2026, 2, 18))
    later = filed(datetime.date(2026, 3, 10))
    done_late = filed(datetime.date(2026, 1, 5), state=State.COMPLETED)
    page = dpo_client.get(f"{QUEUE}?state=all").content.decode()
    rows = dict(re.findall(r'<a href="/backoffice/requests/(RR-[\d-]+)/">(.*?)</tr>', page, re.S))
    assert 'class="badge badge-overdue">Overdue' in rows[overdue.reference]
    assert 'class="badge badge-due-soon">Due soon' in rows[soon.reference]
    assert "badge-overdue" not in rows[later.reference]
    assert "badge-due-soon" not in rows[later.reference]
    # A closed request is never overdue, whatever its date.
    assert "badge-overdue" not in rows[done_late.reference]
    assert "badge-due-soon" not in rows[done_late.reference]


def test_the_counts_per_state_link_to_the_filtered_queue(dpo_client):
    dpo = dpo_client.user
    filed(by=dpo)
    filed(by=dpo)
    filed(state=State.IN_PROGRESS, by=dpo)
    filed(state=State.WITHDRAWN, by=dpo)
    page = dpo_client.get(f"{QUEUE}?kind=access").content.decode()
    assert re.search(
        r'href="\?kind=access&amp;state=verified"[^>]*>Verified <span class="count">2<', page
    )
    assert re.search(
        r'href="\?kind=access&amp;state=in_progress"[^>]*>In progress <span class="count">1<', page
    )
    assert re.search(r'>Completed <span class="count">0<', page)
    assert re.search(r'>All <span class="count">4<', page)
    assert len(references(dpo_client.get(f"{QUEUE}?kind=access&state=verified"))) == 2


def test_each_count_is_the_number_of_rows_its_link_shows_complaints_left_out(dpo_client):
    dpo = dpo_client.user
    for state in (State.VERIFIED, State.VERIFIED, State.IN_PROGRESS, State.REJECTED):
        filed(state=state, by=dpo)
    filed(kind=RequestKind.COMPLAINT, by=dpo)  # in the complaints' own queue
    page = dpo_client.get(f"{QUEUE}?state=all").content.decode()
    counts = dict(re.findall(r'state=(\w+)"[^>]*>[^<]*<span class="count">(\d+)<', page))
    assert counts["all"] == "4"
    assert counts["open"] == "3"
    for state in State.values:
        shown = references(dpo_client.get(f"{QUEUE}?state={state}"))
        assert int(counts[state]) == len(shown), state


@pytest.mark.postgres
@pytest.mark.usefixtures("requires_postgres")
def test_the_counts_by_state_are_read_from_an_index_alone():
    """Every view of the queue shows them: reading the table's rows for them cost 40-70 ms
    at 100,000 requests (bench queue_paging)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dsar.selectors import request_counts_by_state

    with CaptureQueriesContext(connection) as queries:
        request_counts_by_state()
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        # A handful of rows would be read from the table; ask what it does at any size.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Index Only Scan using dsar_request_state_counts" in plan, plan


# --- filters -------------------------------------------------------------------------------


def test_the_queue_filters_by_state_and_type(dpo_client):
    access = filed()
    erasure = filed(kind=RequestKind.ERASURE)
    paused = filed(state=State.AWAITING_REQUESTER)
    assert references(dpo_client.get(f"{QUEUE}?state=awaiting_requester")) == [paused.reference]
    assert references(dpo_client.get(f"{QUEUE}?kind=erasure")) == [erasure.reference]
    assert set(references(dpo_client.get(f"{QUEUE}?kind=access&state=verified"))) == {
        access.reference
    }


def test_the_queue_filters_by_assignee(dpo_client):
    dpo = dpo_client.user
    colleague = SupportFactory(full_name="Sam Jones")
    mine, theirs, nobodys = filed(), filed(), filed()
    rights_request_assign(request=mine, assignee=dpo, by=dpo)
    rights_request_assign(request=theirs, assignee=colleague, by=dpo)
    assert references(dpo_client.get(f"{QUEUE}?assignee=me")) == [mine.reference]
    assert references(dpo_client.get(f"{QUEUE}?assignee=none")) == [nobodys.reference]
    response = dpo_client.get(f"{QUEUE}?assignee={colleague.pk}")
    assert references(response) == [theirs.reference]
    assert "Sam Jones" in response.content.decode()


def test_the_queue_filters_by_due_date(dpo_client):
    overdue = filed(datetime.date(2026, 2, 2))  # due 2 March
    soon = filed(datetime.date(2026, 2, 18))  # due 18 March
    later = filed(datetime.date(2026, 3, 10))  # due 10 April
    filed(datetime.date(2026, 1, 5), state=State.COMPLETED)  # closed: neither
    assert references(dpo_client.get(f"{QUEUE}?due=overdue")) == [overdue.reference]
    assert references(dpo_client.get(f"{QUEUE}?due=soon")) == [soon.reference]
    response = dpo_client.get(f"{QUEUE}?due=range&due_from=2026-03-01&due_to=2026-03-31")
    assert set(references(response)) == {overdue.reference, soon.reference}
    response = dpo_client.get(f"{QUEUE}?due=range&due_from=2026-04-01")
    assert references(response) == [later.reference]


def test_a_nonsense_filter_shows_the_whole_queue_not_an_error(dpo_client):
    request = filed()
    response = dpo_client.get(f"{QUEUE}?state=nope&due=range&due_from=yesterday&page=x")
    assert response.status_code == 200
    assert references(response) == [request.reference]


# --- queries and pages ---------------------------------------------------------------------


def test_the_queue_makes_the_same_queries_whatever_the_page_holds(
    dpo_client, django_assert_num_queries
):
    dpo = dpo_client.user
    colleague = SupportFactory()

    def make(count: int) -> None:
        for n in range(count):
            request = filed(datetime.date(2026, 2, 1 + n % 28), by=dpo)
            rights_request_assign(request=request, assignee=colleague if n % 2 else dpo, by=dpo)

    make(3)
    # 1 session, 2 user, 3 OTP device (django-otp's middleware), 4 the staff for the
    # assignee filter, 5 the page of requests with their assignees (one more than a page,
    # which says whether another follows: no count), 6 the counts per state.
    with django_assert_num_queries(6):
        assert len(references(dpo_client.get(QUEUE))) == 3
    make(30)
    with django_assert_num_queries(6):
        response = dpo_client.get(QUEUE)
    assert len(references(response)) == 25
    later = re.search(r'href="\?([^"]*)" rel="next">Due later<', response.content.decode())
    with django_assert_num_queries(6):
        second = dpo_client.get(f"{QUEUE}?{later[1].replace('&amp;', '&')}")
    assert len(references(second)) == 8
    assert 'rel="prev">Due sooner<' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()


# --- demo data ------------------------------------------------------------------------------


def test_the_demo_seeds_requests_in_every_state_once_with_some_overdue_and_due_soon():
    from django.core.management import call_command

    from dsar.models import RightsRequest
    from dsar.selectors import requests_due_soon, requests_overdue

    call_command("seed_demo", stdout=None)
    count = RightsRequest.objects.count()
    call_command("seed_demo", stdout=None)
    assert RightsRequest.objects.count() == count
    # "Submitted" never lasts: filing moves a request on at once.
    states = set(RightsRequest.objects.values_list("state", flat=True))
    assert states == set(State.values) - {State.SUBMITTED}
    assert requests_overdue().count() >= 2
    assert requests_due_soon().count() >= 2
    assert RightsRequest.objects.filter(extension_months=1).exists()


def test_one_bad_filter_leaves_the_others_working(dpo_client):
    filed()
    erasure = filed(kind=RequestKind.ERASURE)
    response = dpo_client.get(f"{QUEUE}?kind=erasure&assignee=999999&due=whenever")
    assert references(response) == [erasure.reference]


def test_the_queue_opens_on_the_open_requests_and_all_shows_the_closed_too(dpo_client):
    waiting = filed()
    done = filed(state=State.COMPLETED)

    assert references(dpo_client.get(QUEUE)) == [waiting.reference]
    assert set(references(dpo_client.get(f"{QUEUE}?state=all"))) == {
        waiting.reference,
        done.reference,
    }
    page = dpo_client.get(QUEUE).content.decode()
    assert re.search(r'aria-current="page">Open <span class="count">1<', page)
