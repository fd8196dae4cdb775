"""The usage tables sharded by organisation name the person's organisation in every query
(docs/scaling.md). Whoever builds the person's subject reads it with their accounts, once: the
entries then name it without a query of their own."""

import pytest
from django.utils import timezone

from accounts.selectors import user_subject
from datamap import Subject, registry
from dsar.executors.access import request_subject
from dsar.models import Channel, RequestKind, RequestSubject
from dsar.services.filing import rights_request_file
from retention.models import LegalHold
from retention.selectors import held
from tests.factories import DpoFactory, UserFactory
from usage.models import UsageEvent

pytestmark = pytest.mark.django_db

SHARDED = [entry for entry in registry.entries() if entry.organisation_field]


def used(user) -> None:
    UsageEvent.objects.create(
        occurred_at=timezone.now(), organisation=user.organisation, user=user, action="page_view"
    )


def rows_found(subject: Subject) -> dict[str, int]:
    return {entry.name: entry.rows_of(subject).count() for entry in SHARDED}


def test_a_persons_own_subject_names_their_organisation_with_no_query(
    django_assert_num_queries,
):
    member = UserFactory()
    used(member)
    subject = user_subject(member)
    assert subject.organisation_ids == {member.organisation_id}
    with django_assert_num_queries(0):
        for entry in SHARDED:
            entry.subject(subject)
    assert rows_found(subject)["usage.events"] == 1


def test_staff_with_no_organisation_are_not_looked_up_again(django_assert_num_queries):
    subject = user_subject(DpoFactory())
    assert subject.organisation_ids == frozenset()
    with django_assert_num_queries(0):
        for entry in SHARDED:
            entry.subject(subject)


def test_a_rights_requests_subject_reads_the_organisations_of_its_accounts_once(
    django_assert_num_queries,
):
    dpo = DpoFactory()
    ann, bob = UserFactory(), UserFactory()
    used(ann)
    used(bob)
    request = rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Ann Able",
        requester_email=ann.email,
        channel=Channel.EMAIL,
        description="Please answer.",
        filed_by=dpo,
        verified=True,
    )
    for account in (ann, bob):
        RequestSubject.objects.create(request=request, user=account, confirmed_by=dpo)
    # The matched accounts, then their organisations.
    with django_assert_num_queries(2):
        subject = request_subject(request)
    assert subject.organisation_ids == {ann.organisation_id, bob.organisation_id}
    with django_assert_num_queries(0):
        for entry in SHARDED:
            entry.subject(subject)
    assert rows_found(subject)["usage.events"] == 2


def test_the_people_under_a_legal_hold_carry_their_organisations(django_assert_num_queries):
    member = UserFactory()
    LegalHold.objects.create(user=member, reason="claim", placed_at=timezone.now())
    subject = held().subject
    assert subject.organisation_ids == {member.organisation_id}
    with django_assert_num_queries(0):
        for entry in SHARDED:
            entry.subject(subject)


def test_a_subject_without_its_organisations_still_finds_the_rows():
    """A subject built from ids alone (a test, a shell) looks the organisation up itself."""
    member = UserFactory()
    used(member)
    assert rows_found(Subject.of(user_ids=[member.pk]))["usage.events"] == 1
