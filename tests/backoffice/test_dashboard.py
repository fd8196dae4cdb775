"""The back office's dashboard, /backoffice/: the figures, their links, who sees what, and a
fixed number of queries whatever the data volume."""

import datetime
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

import audit
from audit.services import audit_chain_verify_and_alert
from breaches.models import Breach
from cookies.models import ConsentRecord
from dsar.models import Channel, RequestKind, RightsRequest, State
from enquiries.services import enquiry_reply, enquiry_submit
from retention.models import PurgeRun
from security.models import Investigation
from tests.factories import DpoFactory, InvestigationFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/backoffice/"
_references = itertools.count(1)


def rights_request(state=State.IN_PROGRESS, *, due_in_days: int | None = 20) -> RightsRequest:
    today = timezone.localdate()
    return RightsRequest.objects.create(
        reference=f"RR-2026-{next(_references):06d}",
        kind=RequestKind.ACCESS,
        state=state,
        channel=Channel.EMAIL,
        requester_name="Ann Able",
        requester_email="ann@example.test",
        due_on=None if due_in_days is None else today + datetime.timedelta(days=due_in_days),
    )


def breach(title="Laptop left on a train", *, hours_ago=10) -> Breach:
    return Breach.objects.create(
        title=title,
        aware_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        description="An unencrypted laptop was lost.",
    )


def purge_run(status=PurgeRun.Status.SUCCEEDED, *, category="usage_events") -> PurgeRun:
    return PurgeRun.objects.create(
        category=category,
        status=status,
        started_at=timezone.now() - datetime.timedelta(hours=2),
        error="database went away" if status == PurgeRun.Status.FAILED else "",
    )


def overdue_investigation() -> Investigation:
    return InvestigationFactory(
        account_suspended=True, review_due_at=timezone.now() - datetime.timedelta(hours=1)
    )


def some_of_everything(n: int) -> None:
    for _ in range(n):
        rights_request(State.IN_PROGRESS, due_in_days=-3)
        rights_request(State.VERIFIED, due_in_days=2)
        rights_request(State.COMPLETED, due_in_days=None)
        InvestigationFactory()
        overdue_investigation()
        breach()
        purge_run()
        purge_run(PurgeRun.Status.FAILED)
        ConsentRecord.objects.create(
            accepted=",performance,", declined="", policy_version=1, method="banner"
        )
        audit.record(DpoFactory(), "person.view", target=UserFactory())


@pytest.fixture
def dpo_client(verified_client):
    return verified_client(DpoFactory())


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_dpo_sees_requests_by_state_with_due_soon_and_overdue_counts(dpo_client):
    rights_request(State.IN_PROGRESS, due_in_days=-1)
    rights_request(State.VERIFIED, due_in_days=3)
    rights_request(State.VERIFIED, due_in_days=30)
    rights_request(State.COMPLETED, due_in_days=-10)  # closed: neither overdue nor open

    response = dpo_client.get(DASHBOARD)

    assert response.status_code == 200
    figures = response.context["requests"]
    assert figures.open_total == 3
    assert (figures.overdue, figures.due_soon) == (1, 1)
    assert ("completed", "Completed", 1) in figures.by_state
    page = response.content.decode()
    queue = reverse("requests:queue")
    assert f'href="{queue}?due=overdue"' in page
    assert f'href="{queue}?due=soon"' in page
    assert f'href="{queue}?state=verified"' in page
    assert "3 open" in text(response)


def test_each_request_figure_links_to_a_queue_that_shows_the_same_number(dpo_client):
    rights_request(State.IN_PROGRESS, due_in_days=-1)
    rights_request(State.VERIFIED, due_in_days=3)
    rights_request(State.VERIFIED, due_in_days=30)
    figures = dpo_client.get(DASHBOARD).context["requests"]
    queue = reverse("requests:queue")

    assert len(dpo_client.get(f"{queue}?due=overdue").context["page"].rows) == (figures.overdue)
    assert len(dpo_client.get(f"{queue}?due=soon").context["page"].rows) == (figures.due_soon)
    verified = {state: n for state, _, n in figures.by_state}["verified"]
    assert len(dpo_client.get(f"{queue}?state=verified").context["page"].rows) == verified


def test_open_investigations_and_overdue_reviews_are_counted(dpo_client):
    InvestigationFactory()
    overdue_investigation()
    InvestigationFactory(status=Investigation.Status.CLOSED)

    figures = dpo_client.get(DASHBOARD).context["investigations"]

    assert (figures.open, figures.overdue_reviews) == (2, 1)


def test_open_breaches_show_their_72_hour_clocks_soonest_deadline_first(dpo_client):
    late = breach("Mail sent to the wrong client", hours_ago=80)
    fresh = breach("Laptop left on a train", hours_ago=10)
    Breach.objects.create(
        title="Closed one",
        aware_at=timezone.now(),
        description="x",
        status=Breach.Status.CLOSED,
    )

    response = dpo_client.get(DASHBOARD)

    assert [b.pk for b in response.context["breaches"]] == [late.pk, fresh.pk]
    page = text(response)
    assert "2 open breaches" in page
    assert "Overdue by 8 h" in page
    assert re.search(r"6[12] h \d+ min left", page)
    assert reverse("breaches:detail", args=[late.pk]) in response.content.decode()
    assert "Closed one" not in page


def test_purge_runs_and_recent_failures_are_shown(dpo_client):
    purge_run()
    purge_run(PurgeRun.Status.FAILED, category="security_logs")

    response = dpo_client.get(DASHBOARD)

    assert response.context["purges"].failures == 1
    page = text(response)
    assert "1 failed run in the last 30 days" in page
    assert "security_logs" in page
    assert reverse("retention:overview") in response.content.decode()


def test_consent_rates_are_the_share_of_decisions_that_accepted_each_category(dpo_client):
    ConsentRecord.objects.create(
        accepted=",performance,", declined=",functionality,", policy_version=1, method="banner"
    )
    ConsentRecord.objects.create(
        accepted="", declined=",performance,functionality,", policy_version=1, method="banner"
    )

    figures = {f.label: f for f in dpo_client.get(DASHBOARD).context["consent"]}

    assert [f.percent for f in figures.values()] == [50.0, 0.0]


def test_the_last_chain_verification_is_shown_from_the_audit_trail(dpo_client):
    assert "has not been verified yet" in text(dpo_client.get(DASHBOARD))

    audit_chain_verify_and_alert()
    response = dpo_client.get(DASHBOARD)

    verification = response.context["verification"]
    assert verification.action == "audit.verify"
    assert f"Chain intact : {verification.details['checked']} entries" in text(response)
    assert reverse("audit:list") in response.content.decode()


def test_support_sees_requests_and_investigations_but_not_breaches_retention_or_the_trail(
    verified_client,
):
    breach("Secret breach")
    purge_run(PurgeRun.Status.FAILED)
    client = verified_client(SupportFactory())

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    page = text(response)
    assert "Rights requests" in page and "Investigations" in page
    for hidden in (
        "Open breaches",
        "Secret breach",
        "Retention purges",
        "Audit trail",
        "Cookie consent",
    ):
        assert hidden not in page
    assert "breaches" not in response.context


@pytest.mark.parametrize("factory", [UserFactory, DpoFactory])
def test_the_main_navigation_back_office_link_opens_the_dashboard(factory, verified_client):
    client = verified_client(factory())
    page = client.get(reverse("account:home")).content.decode()
    has_link = re.search(r'href="/backoffice/"[^>]*>\s*Back office', page) is not None
    assert has_link == (factory is DpoFactory)


def test_dashboard_is_the_first_item_of_the_back_office_navigation(dpo_client):
    page = dpo_client.get(reverse("requests:queue")).content.decode()
    nav = page[page.index('aria-label="Back office"') :]
    first = re.search(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert first.groups() == ("/backoffice/", "Dashboard")
    dashboard = dpo_client.get(DASHBOARD).content.decode()
    assert 'aria-current="page">Dashboard' in dashboard


# The DPO's dashboard: session, user and OTP device (3, the middleware), then the counts
# by state, due soon, overdue (3), complaints (1), investigations (1), enquiries (1), open
# breaches (1), purge failures and recent runs (2), consent rates (1; the catalogue is cached
# after its first build: warmed below), the last verification (1), and usage logging's dead
# letters (count and newest, 2) and direct writes (1), the scheduled jobs' last runs (1), and
# the newest security self-check (1).
DPO_QUERIES = 19


@pytest.mark.parametrize("n", [1, 6])
def test_the_dashboard_runs_the_same_queries_whatever_the_volume(
    n, dpo_client, django_assert_num_queries
):
    some_of_everything(n)
    dpo_client.get(DASHBOARD)  # builds the cookie catalogue into the cache

    with django_assert_num_queries(DPO_QUERIES):
        response = dpo_client.get(DASHBOARD)

    assert response.status_code == 200
    assert len(response.context["breaches"]) == n


def test_supports_dashboard_runs_fewer_queries(verified_client, django_assert_num_queries):
    some_of_everything(3)
    client = verified_client(SupportFactory())
    # The middleware (3), the request figures (3), the complaints (1), the investigations (1),
    # the enquiries (1), the newest security self-check (1).
    with django_assert_num_queries(10):
        assert client.get(DASHBOARD).status_code == 200


@pytest.mark.parametrize("factory", [DpoFactory, SupportFactory], ids=["dpo", "support"])
def test_the_dashboard_counts_the_enquiries_waiting_for_an_answer(verified_client, factory):
    for n in range(3):
        enquiry_submit(name="Ann", email="ann@example.test", subject=f"Q{n}", message="Help?")
    answered = enquiry_submit(name="Bo", email="bo@example.test", subject="Q", message="Hm?")
    staff = factory()
    enquiry_reply(enquiry=answered, body="Done.", by=staff)

    page = text(verified_client(staff).get(DASHBOARD))

    assert "Support enquiries 3 open · the oldest waiting since" in page
    assert "1 answered" in page
