"""The DPO's queue pages by keyset (issue 19): every request once, in the queue's order, with
the filters kept, however deep the page and whatever is filed meanwhile."""

import datetime
import html
import re

import pytest

import dsar.views.queue
from dsar.models import RequestKind, RightsRequest, State
from tests.dsar import test_queue
from tests.dsar.test_queue import QUEUE, filed, references

pytestmark = pytest.mark.django_db

# The queue's own tests' fixtures: its fixed "today", and a DPO signed in with MFA.
_today = test_queue._today
dpo_client = test_queue.dpo_client


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(dsar.views.queue, "PAGE_SIZE", 3)


def link(response, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', response.content.decode())
    return f"{QUEUE}{html.unescape(found[1])}" if found else None


def walk(client, url: str) -> list[list[str]]:
    """Every page from ``url`` on, following "Due later"."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(references(response))
        url = link(response, "next")
    return pages


def queue_order(requests) -> list[str]:
    """What the queue promises: the soonest due first, undated last, then the oldest."""
    key = lambda r: (r.due_on or datetime.date.max, r.received_at, r.pk)  # noqa: E731
    return [r.reference for r in sorted(requests, key=key)]


@pytest.fixture
def requests():
    """Eleven open requests: some due on the same day, two not yet due (unconfirmed)."""
    days = [2, 18, 18, 18, 3, 25, 10, 18, 2]
    made = [filed(datetime.date(2026, 2, day)) for day in days]
    made += [filed(state=State.AWAITING_VERIFICATION) for _ in range(2)]
    return [RightsRequest.objects.get(pk=request.pk) for request in made]


def test_every_request_is_on_exactly_one_page_in_the_queues_order(dpo_client, requests):
    pages = walk(dpo_client, QUEUE)

    assert [len(page) for page in pages] == [3, 3, 3, 2]
    assert [reference for page in pages for reference in page] == queue_order(requests)


def test_going_back_shows_the_page_before(dpo_client, requests):
    first = dpo_client.get(QUEUE)
    second = dpo_client.get(link(first, "next"))
    third = dpo_client.get(link(second, "next"))

    back = dpo_client.get(link(third, "prev"))
    assert references(back) == references(second)
    again = dpo_client.get(link(back, "prev"))
    assert references(again) == references(first)
    assert link(again, "prev") is None


def test_the_filters_stay_on_every_page(dpo_client, requests):
    erasures = [filed(datetime.date(2026, 2, day), kind=RequestKind.ERASURE) for day in range(1, 8)]
    done = filed(datetime.date(2026, 2, 1), kind=RequestKind.ERASURE, state=State.COMPLETED)

    pages = walk(dpo_client, f"{QUEUE}?kind=erasure&state=all")

    shown = [reference for page in pages for reference in page]
    expected = [*erasures, RightsRequest.objects.get(pk=done.pk)]
    assert shown == queue_order(RightsRequest.objects.filter(pk__in=[r.pk for r in expected]))


def test_a_request_filed_while_paging_repeats_and_hides_none(dpo_client, requests):
    first = dpo_client.get(QUEUE)
    seen = references(first)
    # Filed between two pages: one due before everything shown, one in the middle.
    filed(datetime.date(2026, 1, 20))
    filed(datetime.date(2026, 2, 12))

    later = [reference for page in walk(dpo_client, link(first, "next")) for reference in page]

    originals = [request.reference for request in requests]
    assert sorted(seen + [r for r in later if r in originals]) == sorted(originals)
    assert len(set(seen + later)) == len(seen + later)


def test_a_cursor_that_does_not_read_shows_the_first_page(dpo_client, requests):
    first = references(dpo_client.get(QUEUE))
    nonsense = ["nonsense", "2026-13-01_5_7", "2026-01-01_" + "9" * 30 + "_7", "_".join("1" * 50)]
    for cursor in [*nonsense, "x" * 500, "2026-01-01_5_", "2026-01-01_5_-"]:
        for side in ("after", "before"):
            response = dpo_client.get(f"{QUEUE}?{side}={cursor}")
            assert response.status_code == 200
            assert references(response) == first


def test_the_state_links_start_again_at_the_first_page(dpo_client, requests):
    second = dpo_client.get(link(dpo_client.get(QUEUE), "next"))

    links = re.findall(r'<li><a href="(\?[^"]*state=[^"]*)"', second.content.decode())

    assert links
    assert not [href for href in links if "after=" in href or "before=" in href]
