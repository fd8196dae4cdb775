"""Tasks and information gathered, as the staff and each client see them: aggregated,
small cells hidden, restricted people left out."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import PurposeObjection
from datamap.purposes import Purpose
from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory, UserFactory
from tests.visible import internals_in, visible_text
from usage.analytics import task_rows
from usage.days import LONDON
from usage.demo import usage_demo_seed
from usage.models import UsageEvent
from usage.services import usage_rollup_day

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)
NINE = datetime.datetime.combine(DAY, datetime.time(9), tzinfo=LONDON)


def work(user, feature, minutes, *, start=0, action="page_view"):
    """One task of ``user`` on ``feature``: an event every minute for ``minutes`` minutes."""
    UsageEvent.objects.bulk_create(
        UsageEvent(
            occurred_at=NINE + datetime.timedelta(minutes=start + n),
            organisation_id=user.organisation_id,
            user=user,
            action=action,
            feature=feature,
            duration_ms=250,
        )
        for n in range(minutes + 1)
    )


@pytest.fixture
def acme():
    """GIVEN Acme, whose five people each do a report task (2, 4, 6, 8 and 10 minutes long) and
    export once; two of them also search; and Other Ltd's six people, who search a lot."""
    acme = OrganisationFactory(name="Acme Ltd")
    people = [UserFactory(organisation=acme, full_name=f"Acme Person {n}") for n in range(5)]
    for n, person in enumerate(people):
        work(person, "reports", 2 * (n + 1))
        work(person, "reports", 0, start=30, action="export")
    for person in people[:2]:
        work(person, "search", 1, start=60)
    other = OrganisationFactory(name="Other Ltd")
    for n in range(6):
        work(UserFactory(organisation=other, full_name=f"Other Person {n}"), "search", 3)
    usage_rollup_day(day=DAY)
    return acme, people


def test_a_client_sees_its_own_tasks_per_feature_with_the_typical_time_and_exports(acme):
    organisation, _ = acme
    rows = task_rows(start=DAY, end=DAY, organisation=organisation)
    reports = rows[0]
    # Ten tasks: each person's run, and each one's export half an hour later (30 s, the minimum).
    assert (reports.label, reports.people, reports.tasks, reports.gathered) == (
        "Reports",
        5,
        10,
        5,
    )
    assert reports.typical_ms == 75_000  # the median of five 30 s exports and 2 to 10 minutes
    assert reports.total_ms == (2 + 4 + 6 + 8 + 10) * 60_000 + 5 * 30_000
    assert reports.typical_text == "1 min"
    # Two of Acme's people searched: too few to show, whatever Other Ltd did.
    assert [(row.label, row.suppressed, row.tasks) for row in rows[1:]] == [("Search", True, None)]


def test_across_organisations_a_feature_shows_once_enough_people_use_it(acme):
    rows = {row.feature: row for row in task_rows(start=DAY, end=DAY)}
    assert (rows["search"].organisations, rows["search"].people, rows["search"].tasks) == (
        2,
        8,
        8,
    )
    assert rows["search"].typical_ms == 180_000


def test_a_restricted_person_or_an_upheld_objection_is_left_out(acme):
    organisation, people = acme
    people[0].processing_restricted_at = NINE
    people[0].save()
    rows = task_rows(start=DAY, end=DAY, organisation=organisation)
    assert rows[0].suppressed  # four people left: below the threshold
    people[0].processing_restricted_at = None
    people[0].save()
    PurposeObjection.objects.create(user=people[1], purpose=Purpose.ANALYTICS)  # a searcher too
    rows = {row.feature: row for row in task_rows(start=DAY, end=DAY)}
    assert rows["reports"].suppressed
    assert rows["search"].people == 7
    # An objection to another purpose (the client's usage reports) leaves the figures alone.
    PurposeObjection.objects.filter(user=people[1]).update(purpose=Purpose.USAGE)
    assert {row.feature: row for row in task_rows(start=DAY, end=DAY)}["search"].people == 8


def test_the_figures_take_one_query_on_postgresql(acme, django_assert_num_queries):
    # The tasks grouped per feature, with their medians; SQLite reads the medians in a second.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        task_rows(start=DAY, end=DAY)


def test_the_client_tasks_page_shows_only_its_organisation_in_words(acme, verified_client):
    organisation, people = acme
    client = verified_client(ClientAdminFactory(organisation=organisation))
    response = client.get("/console/usage/tasks/", {"start": DAY, "end": DAY})
    html = response.content.decode()
    text = visible_text(html)
    assert response.status_code == 200
    assert "Tasks and information gathered" in text
    assert "Reports" in text
    assert "Fewer than 5 people: not shown" in text  # Acme's search
    assert "1 min" in text
    assert "Organisations" not in text
    assert "Other Ltd" not in text and "Other Person" not in text
    assert people[0].full_name not in text and people[0].email not in html
    assert internals_in(text) == []


def test_the_staff_aggregates_show_tasks_and_call_server_time_what_it_is(acme, verified_client):
    client = verified_client(DpoFactory())
    html = client.get("/backoffice/usage/", {"start": DAY, "end": DAY}).content.decode()
    text = visible_text(html)
    assert "Server time (hours)" in text
    assert "Typical task time" in text and "Downloads and exports" in text
    assert "3 min" in text  # search across both organisations
    assert "Acme Person 0" not in text
    assert internals_in(text) == []


def test_the_tasks_page_is_for_client_admins_only(verified_client):
    member = UserFactory()
    assert verified_client(member).get("/console/usage/tasks/").status_code == 403
    assert verified_client(DpoFactory()).get("/console/usage/tasks/").status_code == 403


def test_a_bad_period_gets_a_form_error_not_a_failure(verified_client):
    client = verified_client(ClientAdminFactory())
    response = client.get("/console/usage/tasks/", {"start": "2026-11-05", "end": "2026-11-01"})
    assert response.status_code == 200
    assert "The end date must not be before the start date." in response.content.decode()


def test_the_demo_shows_tasks_and_exports_for_its_people():
    organisation = OrganisationFactory()
    people = [UserFactory(organisation=organisation) for _ in range(12)]
    usage_demo_seed(organisation=organisation, users=people)
    today = timezone.localdate()
    rows = {
        row.feature: row
        for row in task_rows(
            start=today - datetime.timedelta(days=29), end=today, organisation=organisation
        )
    }
    assert not rows["export"].suppressed
    assert rows["export"].gathered > 0
    assert rows["reports"].gathered == 0
    assert rows["reports"].tasks < rows["reports"].total_ms / 30_000  # runs, not single events
