"""Invitations past their 72 hours are marked expired by the beat, and the retention schedule
deletes them once their period after expiry has passed; accepted ones stay with the account."""

import secrets
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services.invitation_expiry import invitations_expire
from accounts.tasks import expire_invitations
from retention.models import RetentionPolicy
from retention.services.purge import purge_category
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def invitation(*, hours_ago: float, accepted=False, revoked=False) -> Invitation:
    created = timezone.now() - timedelta(hours=hours_ago)
    return Invitation.objects.create(
        user=UserFactory(status=User.Status.INVITED),
        nonce=secrets.token_urlsafe(32),
        created_at=created,
        expires_at=created + timedelta(hours=72),
        accepted_at=created + timedelta(hours=1) if accepted else None,
        revoked_at=created + timedelta(hours=1) if revoked else None,
    )


def test_an_invitation_past_its_72_hours_is_marked_expired_when_it_lapsed():
    lapsed = invitation(hours_ago=73)
    replaced = invitation(hours_ago=80, revoked=True)
    live = invitation(hours_ago=71)
    accepted = invitation(hours_ago=100, accepted=True)

    assert expire_invitations.delay().get() == 2

    for row in (lapsed, replaced, live, accepted):
        row.refresh_from_db()
    assert lapsed.expired_at == lapsed.expires_at
    assert replaced.expired_at == replaced.expires_at
    assert live.expired_at is None
    assert accepted.expired_at is None


def test_marking_expired_invitations_twice_changes_nothing_more():
    invitation(hours_ago=73)
    assert invitations_expire() == 1
    assert invitations_expire() == 0


def test_expired_invitations_are_deleted_after_their_retention_period():
    policy = RetentionPolicy.objects.get(category="invitations")
    assert (policy.basis, policy.days, policy.action) == ("closure", 90, "delete")
    old = invitation(hours_ago=72 + 24 * 91)
    recent = invitation(hours_ago=72 + 24 * 89)
    accepted = invitation(hours_ago=24 * 400, accepted=True)
    invitations_expire()

    purge_category(category="invitations")

    assert set(Invitation.objects.values_list("pk", flat=True)) == {recent.pk, accepted.pk}
    assert not Invitation.objects.filter(pk=old.pk).exists()


def test_an_invitation_expires_by_the_clock_not_by_the_first_run():
    row = invitation(hours_ago=1)
    with time_machine.travel(timezone.now() + timedelta(hours=80), tick=False):
        invitations_expire()
    row.refresh_from_db()
    assert row.expired_at == row.expires_at
