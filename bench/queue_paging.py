"""The DPO's rights-request queue, deep down (issue 19): page 2,000 against page 1.

    python -m bench queue_paging      # database privacydesk_bench_queue_paging

REQUESTS rights requests (bench.generate, written with COPY; only the missing ones). The queue
pages by keyset (common.paging): a deep page is the rows after a boundary in the queue's order,
found through the index dsar_queue_order, never an OFFSET. Page 2,000's link is what 1,999
clicks on "Due later" would reach: its boundary is the last row of page 1,999, found here once
with an OFFSET (untimed).

Each page is requested through Django's test client as a DPO with two-step login verified (the
whole middleware stack and the template), a few times to warm up and then SAMPLES times, for
the whole queue ("All") and for its default view (the open requests).
Goal: page 2,000's p95 at most GOAL x page 1's p95, for each.

Each page also shows the count of requests in every state (dsar.selectors.
request_counts_by_state). Their cost is timed on its own, SAMPLES times, against the same
figures counted by reading every row (COUNT(id), as before the index dsar_request_state_counts):
goal, the counts' p95 at most COUNTS_GOAL x that baseline's p95, and the very same figures.
"""

from bench.common import (
    percentile,
    progress,
    table,
    time_page,
    timed,
    verdict,
    verified_client,
)
from bench.generate import back_office_people, rights_requests

REQUESTS = 100_000
DEEP_PAGE = 2_000
SAMPLES = 40
WARM_UP = 5
GOAL = 2.0
COUNTS_GOAL = 0.5
QUEUE = "/backoffice/requests/"


def queue_deep_link(state: str, page_number: int) -> tuple[str, int]:
    """The link to page ``page_number`` of the queue filtered by ``state`` (or its last page)."""
    from common.paging import keyset_cursor
    from dsar.forms.backoffice import QueueFilterForm
    from dsar.selectors import QUEUE_KEY, requests_for_queue
    from dsar.views.queue import PAGE_SIZE

    form = QueueFilterForm({"state": state}, staff=[])
    rows = form.filter(requests_for_queue(), user=None)
    pages = max(1, -(-rows.count() // PAGE_SIZE))
    page_number = min(page_number, pages)
    boundary = rows[(page_number - 1) * PAGE_SIZE - 1]
    return f"{QUEUE}?state={state}&after={keyset_cursor(boundary, QUEUE_KEY)}", page_number


def _measure(client, url: str) -> tuple[list[float], int, int]:
    samples, queries, response = time_page(client, url, warm_up=WARM_UP, samples=SAMPLES)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return samples, queries, response.content.count(b"<tr")


def counts_reading_every_row() -> dict[str, int]:
    """The counts by state as they were read before the index: COUNT(id) reads each row."""
    from django.db.models import Count

    from dsar import selectors
    from dsar.models import State

    counts = dict(selectors.rights_requests().values_list("state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in State.values}


def _time_counts(count) -> tuple[list[float], dict[str, int]]:
    for _ in range(WARM_UP):
        count()
    return [timed(count) * 1000 for _ in range(SAMPLES)], count()


def run(scale: int | None = None) -> None:
    from django.db import connection

    from dsar.models import RightsRequest
    from dsar.selectors import request_counts_by_state

    dpo, staff, _ = back_office_people()
    rights_requests(scale or REQUESTS, staff)
    with connection.cursor() as cursor:
        # As autovacuum would have by now: an index-only scan skips the table only on the pages
        # the visibility map marks all-visible, which COPY leaves unmarked.
        cursor.execute("VACUUM ANALYZE dsar_rightsrequest")
    client = verified_client(dpo)
    rows, met = [], []
    for state, label in (("all", "All"), ("open", "Open (the default)")):
        deep_url, deep_number = queue_deep_link(state, DEEP_PAGE)
        progress(f"{label}: page 1 and page {deep_number:,}")
        first, first_queries, first_rows = _measure(client, f"{QUEUE}?state={state}")
        deep, deep_queries, deep_rows = _measure(client, deep_url)
        ratio = percentile(deep, 0.95) / percentile(first, 0.95)
        met.append(ratio <= GOAL)
        for name, samples, queries, table_rows in (
            (f"{label}, page 1", first, first_queries, first_rows),
            (f"{label}, page {deep_number:,}", deep, deep_queries, deep_rows),
        ):
            rows.append(
                (
                    name,
                    f"{percentile(samples, 0.5):.1f}",
                    f"{percentile(samples, 0.95):.1f}",
                    queries,
                    table_rows - 1,  # the header row
                    "",
                )
            )
        rows.append(
            (f"{label}: deep p95 / first p95", "", f"{ratio:.2f}", "", "", verdict(met[-1]))
        )

    table(
        f"Rights-request queue, {RightsRequest.objects.count():,} requests, keyset pages "
        f"({SAMPLES} samples each, ms)",
        ["page", "p50", "p95", "queries", "rows", f"<= {GOAL}x"],
        rows,
    )
    print(f"Goal: page {DEEP_PAGE:,} p95 at most {GOAL} x page 1 p95: {verdict(all(met))}.")

    progress("the counts by state, from the index and from every row")
    indexed, indexed_counts = _time_counts(request_counts_by_state)
    every_row, every_row_counts = _time_counts(counts_reading_every_row)
    ratio = percentile(indexed, 0.95) / percentile(every_row, 0.95)
    same = indexed_counts == every_row_counts
    counts_met = ratio <= COUNTS_GOAL and same
    table(
        f"The queue's counts by state ({SAMPLES} samples each, ms; "
        f"{sum(indexed_counts.values()):,} rights requests counted)",
        ["counts", "p50", "p95", f"<= {COUNTS_GOAL}x"],
        [
            (
                "every row read (COUNT(id), the baseline)",
                f"{percentile(every_row, 0.5):.1f}",
                f"{percentile(every_row, 0.95):.1f}",
                "",
            ),
            (
                "request_counts_by_state (index only)",
                f"{percentile(indexed, 0.5):.1f}",
                f"{percentile(indexed, 0.95):.1f}",
                "",
            ),
            ("index only p95 / every row p95", "", f"{ratio:.2f}", verdict(counts_met)),
        ],
    )
    print(
        f"Goal: the counts' p95 at most {COUNTS_GOAL} x reading every row, the same figures "
        f"({'the same' if same else 'DIFFERENT'}): {verdict(counts_met)}."
    )
