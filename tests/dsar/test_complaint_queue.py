"""The DPO sees complaints apart from rights requests: their own queue with the
acknowledgement's clock, their own card on the dashboard; the rights queue leaves them out."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from dsar.models import Channel, RequestKind, RightsRequest
from dsar.services.acknowledgement import complaint_acknowledgement_deliver
from dsar.services.filing import rights_request_file
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

COMPLAINTS = "/backoffice/complaints/"
RIGHTS = "/backoffice/requests/"
DASHBOARD = "/backoffice/"
TODAY = datetime.date(2026, 3, 16)  # a Monday


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC), tick=False):
        yield


def file(kind=RequestKind.COMPLAINT, *, received: datetime.date, name: str, by, email=None):
    """Logged by the DPO, received at 11:00 UK time on ``received``; not yet acknowledged."""
    return rights_request_file(
        kind=kind,
        requester_name=name,
        requester_email=email or f"{name.split()[0].lower()}@example.test",
        channel=Channel.EMAIL,
        filed_by=by,
        received_at=timezone.make_aware(datetime.datetime.combine(received, datetime.time(11))),
        verified=True,
    )


@pytest.fixture
def mixed():
    """As of 16 March 2026: three complaints (acknowledgement overdue, due within 7 days, and
    acknowledged) and one access request."""
    dpo = DpoFactory()
    rows = {
        "overdue": file(received=datetime.date(2026, 2, 10), name="Olive Late", by=dpo),
        "soon": file(received=datetime.date(2026, 2, 18), name="Sara Soon", by=dpo),
        "acknowledged": file(received=datetime.date(2026, 3, 12), name="Abe Done", by=dpo),
        "access": file(RequestKind.ACCESS, received=TODAY, name="Ann Access", by=dpo),
    }
    complaint_acknowledgement_deliver(request_id=rows["acknowledged"].pk)
    return rows


def references(response) -> list[str]:
    return re.findall(r">(RR-\d{4}-\d{6})</a>", response.content.decode())


def test_the_complaints_queue_lists_complaints_only_awaiting_acknowledgement_first(
    verified_client, mixed
):
    response = verified_client(SupportFactory()).get(COMPLAINTS)
    assert response.status_code == 200
    assert references(response) == [
        mixed["overdue"].reference,  # acknowledge by 11 March: overdue
        mixed["soon"].reference,  # acknowledge by 19 March
        mixed["acknowledged"].reference,
    ]
    html = response.content.decode()
    assert "Acknowledge by" in html and "11 Mar 2026" in html
    assert "Acknowledged on" in html
    # Olive Late's acknowledgement and outcome (due 10 March) are overdue; Sara Soon's
    # acknowledgement (19 March) and outcome (18 March) are due soon.
    assert html.count("badge-overdue") == 2 and html.count("badge-due-soon") == 2


def test_the_rights_queue_leaves_complaints_out_and_points_to_their_queue(verified_client, mixed):
    response = verified_client(DpoFactory()).get(RIGHTS)
    assert references(response) == [mixed["access"].reference]
    html = response.content.decode()
    assert f'href="{COMPLAINTS}"' in html
    assert '<option value="complaint"' not in html
    assert 'Open <span class="count">1</span>' in html


def test_the_complaints_queue_filters(verified_client, mixed):
    client = verified_client(DpoFactory())
    overdue = client.get(f"{COMPLAINTS}?status=acknowledgement_overdue")
    assert references(overdue) == [mixed["overdue"].reference]
    waiting = client.get(f"{COMPLAINTS}?status=to_acknowledge")
    assert references(waiting) == [mixed["overdue"].reference, mixed["soon"].reference]
    late = client.get(f"{COMPLAINTS}?status=outcome_overdue")
    assert references(late) == [mixed["overdue"].reference]
    nonsense = client.get(f"{COMPLAINTS}?status=nonsense")
    assert len(references(nonsense)) == 3


def test_the_dashboard_shows_complaints_apart(verified_client, mixed):
    for client in (verified_client(DpoFactory()), verified_client(SupportFactory())):
        response = client.get(DASHBOARD)
        figures = response.context["complaints"]
        assert figures.open == 3
        assert figures.to_acknowledge == 2
        assert figures.acknowledgement_overdue == 1
        assert figures.acknowledgement_due_soon == 1
        assert figures.outcome_overdue == 1  # Olive Late's, due 10 March
        assert response.context["requests"].open_total == 1
        html = response.content.decode()
        assert f'href="{COMPLAINTS}?status=acknowledgement_overdue"' in html


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory], ids=["member", "admin"])
def test_only_the_privacy_team_opens_the_complaints_queue(verified_client, factory, mixed):
    assert verified_client(factory()).get(COMPLAINTS).status_code == 403


def test_the_queue_makes_the_same_queries_whatever_it_holds(
    verified_client, django_assert_num_queries
):
    dpo = DpoFactory()
    client = verified_client(dpo)
    for n in range(3):
        file(received=datetime.date(2026, 3, 1 + n), name=f"Person {n}", by=dpo)
    # 1 session, 2 user, 3 OTP device (the middleware), 4 the paginator's count, 5 the page
    # of complaints with their assignees.
    with django_assert_num_queries(5):
        assert len(references(client.get(COMPLAINTS))) == 3
    for n in range(30):
        file(received=datetime.date(2026, 2, 1 + n % 28), name=f"More {n}", by=dpo)
    with django_assert_num_queries(5):
        assert len(references(client.get(COMPLAINTS))) == 25
    assert RightsRequest.objects.count() == 33
