import datetime

import pytest
from django.utils import timezone

from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory, UserFactory
from usage.models import UsageEvent
from usage.services import usage_rollup_day

pytestmark = pytest.mark.django_db


def test_staff_see_figures_without_names_and_small_cells_hidden(verified_client):
    today = timezone.localdate()
    org = OrganisationFactory()
    people = [UserFactory(organisation=org, full_name=f"Person {n}") for n in range(6)]
    moment = timezone.now() - datetime.timedelta(minutes=5)
    for n, person in enumerate(people):
        UsageEvent.objects.create(
            occurred_at=moment,
            organisation=org,
            user=person,
            action="x",
            feature="reports" if n < 5 else "rare-feature",
            duration_ms=60_000,
        )
    usage_rollup_day(day=today)
    client = verified_client(DpoFactory())
    html = client.get("/backoffice/usage/").content.decode()
    # Features by their labels in words, never the codes.
    assert '<th scope="row">Reports</th>' in html
    assert '<th scope="row">Rare feature</th>' in html
    assert "rare-feature" not in html
    assert "Fewer than 5 people: not shown" in html
    assert "Person 0" not in html
    assert people[0].email not in html


def test_the_usage_figures_are_for_staff_only(verified_client):
    client = verified_client(ClientAdminFactory())
    assert client.get("/backoffice/usage/").status_code == 403
