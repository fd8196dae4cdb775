"""A security hold: the account a rule suspended shows "Held: under security review", only
its investigation lifts or confirms it, and the account and the investigation never disagree."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import User
from accounts.services.users import user_reactivate, user_terminate
from security.models import Investigation
from security.services.evidence import Event
from security.services.investigations import investigation_record_outcome
from security.services.rules import investigation_raise
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
)
from tests.visible import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def held(organisation):
    user = UserFactory(organisation=organisation, full_name="Jack Murphy")
    investigation_raise(
        rule="many_ips_in_hour",
        summary="Successful logins from 4 IP addresses within 60 minutes",
        evidence=[Event(timezone.now(), "203.0.113.10", "login_succeeded")],
        user=user,
        ip_address="203.0.113.10",
    )
    user.refresh_from_db()
    assert user.status == User.Status.SUSPENDED
    return user


def test_the_console_says_the_account_is_held_and_offers_no_way_to_lift_it(
    verified_client, organisation, held
):
    admin = verified_client(ClientAdminFactory(organisation=organisation))

    listing = visible_text(admin.get("/console/"))
    page = visible_text(admin.get(f"/console/users/{held.pk}/"))

    assert "Held: under security review" in listing
    assert "Status Held: under security review" in page
    assert "Reactivate the account" not in page
    assert "Terminate the account" not in page


@pytest.mark.parametrize("action", ["reactivate", "terminate"])
def test_a_client_admin_cannot_lift_or_end_a_hold_behind_the_investigations_back(
    verified_client, organisation, held, action
):
    admin = verified_client(ClientAdminFactory(organisation=organisation))

    admin.post(f"/console/users/{held.pk}/{action}/", {})

    held.refresh_from_db()
    assert held.status == User.Status.SUSPENDED
    assert Investigation.objects.get(user=held).status == Investigation.Status.OPEN


@pytest.mark.parametrize("service", [user_reactivate, user_terminate])
def test_not_even_the_dpo_changes_a_held_account_outside_its_investigation(held, service):
    with pytest.raises(PermissionDenied, match="held under security review"):
        service(user=held, by=DpoFactory())


def test_clearing_the_investigation_lifts_the_hold_and_both_agree(held):
    investigation = Investigation.objects.get(user=held)

    investigation_record_outcome(
        investigation=investigation,
        outcome=Investigation.Outcome.CLEARED,
        reason="The user was travelling; confirmed by phone.",
        by=SupportFactory(),
    )

    held.refresh_from_db()
    investigation.refresh_from_db()
    assert held.status == User.Status.ACTIVE
    assert investigation.status == Investigation.Status.CLOSED


def test_the_back_office_shows_the_hold_and_sends_staff_to_the_investigation(verified_client, held):
    page = visible_text(verified_client(DpoFactory()).get(f"/backoffice/people/{held.pk}/"))

    assert "Held: under security review" in page
    assert "recording the outcome of its investigation" in page
    assert "Reactivate the account" not in page
