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
"""

from bench.common import percentile, progress, table, time_page, verdict, verified_client
from bench.generate import back_office_people, rights_requests

REQUESTS = 100_000
DEEP_PAGE = 2_000
SAMPLES = 40
WARM_UP = 5
GOAL = 2.0
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


def run(scale: int | None = None) -> None:
    from django.db import connection

    from dsar.models import RightsRequest

    dpo, staff, _ = back_office_people()
    rights_requests(scale or REQUESTS, staff)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dsar_rightsrequest")
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
