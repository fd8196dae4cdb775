"""The console's usage report as a client admin reads it: sorted (most active first, by any
column), name and e-mail apart, features and purposes in words, numbers and times formatted,
no empty column; a delivered report shows the same table."""

import datetime
import re

import pytest

from tests.factories import ClientAdminFactory, OrganisationFactory, UserFactory
from tests.usage.test_reports import rollup
from usage.models import DailyUserUsage, UsagePurpose

pytestmark = pytest.mark.django_db

D1, D2 = datetime.date(2026, 11, 2), datetime.date(2026, 11, 3)
PERIOD = f"start={D1}&end={D2}"


@pytest.fixture
def busy():
    """GIVEN Acme where Zoe is the most active (1,234 events, 65 minutes), then Ann, then Bob,
    a configured purpose, a feature named by its view, and another organisation's noise."""
    org = OrganisationFactory(name="Acme")
    UsagePurpose.objects.create(
        organisation=org, code="analysis", label="Analysis and reporting", features=["reports"]
    )
    zoe = UserFactory(organisation=org, full_name="Zoe Zed", email="zoe@acme.test")
    ann = UserFactory(organisation=org, full_name="Ann Able", email="ann@acme.test")
    bob = UserFactory(organisation=org, full_name="Bob Baker", email="bob@acme.test")
    rollup(org, zoe, D1, "reports", 1234, 65 * 60_000, "analysis")
    rollup(org, ann, D1, "user_settings", 7, 42 * 60_000)
    rollup(org, ann, D2, "usage:report", 3, 30_000, "analysis")
    rollup(org, bob, D2, "reports", 2, 0, "analysis")
    rollup(OrganisationFactory(), UserFactory(full_name="Other Person"), D1, "reports", 50, 1)
    return org


def body_rows(html: str) -> list[list[str]]:
    """The table body's rows as the cells' text."""
    tbody = html.split("<tbody>")[1].split("</tbody>")[0]
    return [
        re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.S)
    ]


def headers(html: str) -> list[str]:
    thead = html.split("<thead>")[1].split("</thead>")[0]
    return re.findall(r"<a [^>]*>(.*?)</a>", thead)


def open_report(verified_client, org, query):
    client = verified_client(ClientAdminFactory(organisation=org))
    response = client.get(f"/console/usage/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_people_come_most_active_first_with_name_and_email_apart(verified_client, busy):
    html = open_report(verified_client, busy, f"{PERIOD}&group_by=user")
    assert headers(html) == ["Name", "E-mail", "Events", "Time spent", "Active days"]
    assert body_rows(html) == [
        ["Zoe Zed", "zoe@acme.test", "1,234", "1 h 05 min", "1"],
        ["Ann Able", "ann@acme.test", "10", "42 min", "2"],
        ["Bob Baker", "bob@acme.test", "2", "0 min", "1"],
    ]
    assert "Other Person" not in html
    assert "&lt;" not in html.split("<tbody>")[1].split("</tbody>")[0]
    # The totals, formatted the same way.
    assert re.search(r"<th scope=\"row\">Total</th><td></td><td class=\"num\">1,246</td>", html)
    assert "1 h 48 min" in html  # 107.5 minutes in all


def test_a_column_header_sorts_the_rows_and_says_so(verified_client, busy):
    html = open_report(verified_client, busy, f"{PERIOD}&group_by=user&sort=name")
    assert [row[0] for row in body_rows(html)] == ["Ann Able", "Bob Baker", "Zoe Zed"]
    link = "?start=2026-11-02&amp;end=2026-11-03&amp;group_by=user&amp;sort=-name"
    assert f'<th scope="col" aria-sort="ascending"><a href="{link}">Name</a>' in html
    # Only the sorted column says how it is sorted; the period and grouping stay in each link.
    assert html.count("aria-sort=") == 1
    assert 'href="?start=2026-11-02&amp;end=2026-11-03&amp;group_by=user&amp;sort=-events"' in html

    html = open_report(verified_client, busy, f"{PERIOD}&group_by=user&sort=-name")
    assert [row[0] for row in body_rows(html)] == ["Zoe Zed", "Bob Baker", "Ann Able"]
    assert 'aria-sort="descending"' in html

    html = open_report(verified_client, busy, f"{PERIOD}&group_by=user&sort=days")
    assert [row[0] for row in body_rows(html)] == ["Zoe Zed", "Bob Baker", "Ann Able"]


def test_the_default_sort_is_marked_on_the_events_column(verified_client, busy):
    html = open_report(verified_client, busy, f"{PERIOD}&group_by=user")
    assert re.search(
        r'<th scope="col" class="num" aria-sort="descending"><a [^>]*>Events</a>', html
    )


@pytest.mark.parametrize(
    "sort",
    [
        "password",
        "-",
        "--events",
        "events;drop",
        "label",
        "full_name",
        "-user__email",
        "-email,events",
    ],
)
def test_an_unknown_sort_is_ignored_for_the_most_active_first(verified_client, busy, sort):
    html = open_report(verified_client, busy, f"{PERIOD}&group_by=user&sort={sort}")
    assert [row[0] for row in body_rows(html)] == ["Zoe Zed", "Ann Able", "Bob Baker"]


def test_features_and_purposes_are_shown_in_words(verified_client, busy):
    html = open_report(verified_client, busy, f"{PERIOD}&group_by=feature")
    assert headers(html) == ["Feature", "Events", "Time spent", "Days used", "User-days"]
    assert [row[:2] for row in body_rows(html)] == [
        ["Reports", "1,236"],
        ["User settings", "7"],
        ["Usage report", "3"],
    ]
    for raw in ("user_settings", "usage:report", ">reports<"):
        assert raw not in html

    html = open_report(verified_client, busy, f"{PERIOD}&group_by=purpose")
    assert [row[:2] for row in body_rows(html)] == [
        ["Analysis and reporting", "1,239"],
        ["No purpose set", "7"],
    ]


def test_by_day_no_column_is_empty_and_days_read_as_dates(verified_client, busy):
    html = open_report(verified_client, busy, f"{PERIOD}&group_by=day&sort=day")
    assert headers(html) == ["Day", "Events", "Time spent", "People"]
    assert body_rows(html) == [
        ["2 Nov 2026", "1,241", "1 h 47 min", "2"],
        ["3 Nov 2026", "5", "under 1 min", "2"],
    ]
    assert ">—<" not in html


def test_a_column_empty_in_every_row_is_left_out(verified_client, busy):
    # Everyone in the report was erased: no row has an address, so there is no E-mail column.
    DailyUserUsage.objects.filter(organisation=busy).update(user=None)
    html = open_report(verified_client, busy, f"{PERIOD}&group_by=user")
    assert "E-mail" not in headers(html)
    assert body_rows(html)[0][0] == "Former user (erased)"


def test_the_page_reads_a_fixed_number_of_queries(verified_client, busy, django_assert_num_queries):
    client = verified_client(ClientAdminFactory(organisation=busy))
    client.get(f"/console/usage/?{PERIOD}")  # the day's disclosure of this report
    # Session, user, OTP device, organisation (4); the organisations whose reports it may
    # see too (1); the report: grouped rows, daily series, names (3); the view counted on the
    # day's disclosure: savepoint, locked read, update, re-read of the count (4); its audit
    # entry: savepoint, lock, chain head, insert, release (5); release (1). The same with
    # three people or three thousand.
    with django_assert_num_queries(18):
        response = client.get(f"/console/usage/?{PERIOD}&sort=name")
    assert response.status_code == 200
