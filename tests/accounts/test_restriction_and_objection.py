"""One question at every point of processing: may this purpose use this person's data?
Restriction stops what Article 18 stops; an upheld objection stops exactly its purposes; a
restriction is lifted only once the person was told; the old single flag is kept per purpose."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import PurposeObjection, User
from accounts.selectors import may_process, users_not_processable
from accounts.services.users import (
    users_lift_restriction,
    users_notify_restriction_lift,
    users_restrict_processing,
    users_uphold_objection,
)
from audit.models import AuditEntry
from datamap.purposes import RESTRICTED_PURPOSES, Purpose
from tests.factories import DpoFactory, UserFactory
from tests.visible import internals_in, visible_text

pytestmark = pytest.mark.django_db

SUMMER = datetime.datetime(2026, 7, 14, 13, 43, tzinfo=datetime.UTC)


def not_processable(purpose) -> set[int]:
    return set(users_not_processable(purpose).values_list("pk", flat=True))


@pytest.mark.parametrize("purpose", list(Purpose))
def test_the_queryset_form_gives_the_same_answer_as_may_process(purpose):
    plain, restricted, objecting = UserFactory(), UserFactory(), UserFactory()
    users_restrict_processing(users=User.objects.filter(pk=restricted.pk), by=None)
    # Every purpose, even those an upheld objection never stops: the two forms still agree.
    PurposeObjection.objects.create(user=objecting, purpose=purpose)
    for user in (plain, restricted, objecting):
        user.refresh_from_db()
        assert may_process(user, purpose) == (user.pk not in not_processable(purpose))


def test_a_restriction_stops_reports_analytics_and_marketing_but_not_the_account_itself():
    user = UserFactory()
    users_restrict_processing(users=User.objects.filter(pk=user.pk), by=DpoFactory())
    user.refresh_from_db()
    stopped = {purpose for purpose in Purpose if not may_process(user, purpose)}
    assert stopped == {Purpose.USAGE, Purpose.ANALYTICS, Purpose.MARKETING} == RESTRICTED_PURPOSES
    assert may_process(user, Purpose.SECURITY)
    assert may_process(user, Purpose.RIGHTS)


def test_an_upheld_objection_stops_exactly_the_purposes_objected_to():
    dpo = DpoFactory()
    user = UserFactory()
    recorded = users_uphold_objection(
        users=User.objects.filter(pk=user.pk),
        purposes=[Purpose.ANALYTICS, Purpose.MARKETING],
        by=dpo,
        reference="RR-2026-000001",
    )
    assert recorded == 2
    assert {purpose for purpose in Purpose if not may_process(user, purpose)} == {
        Purpose.ANALYTICS,
        Purpose.MARKETING,
    }
    # Upholding again records nothing more.
    again = users_uphold_objection(
        users=User.objects.filter(pk=user.pk), purposes=[Purpose.ANALYTICS], by=dpo
    )
    assert again == 0
    entries = AuditEntry.objects.filter(action="user.objection_upheld")
    assert sorted(entry.details["purpose"] for entry in entries) == ["analytics", "marketing"]


def test_an_objection_cannot_stop_security_monitoring():
    with pytest.raises(ValidationError, match="only usage reports, analytics and marketing"):
        users_uphold_objection(
            users=User.objects.filter(pk=UserFactory().pk), purposes=[Purpose.SECURITY], by=None
        )
    assert not PurposeObjection.objects.exists()


def test_not_processable_is_one_subquery_whatever_the_number_of_people(
    django_assert_num_queries,
):
    for _ in range(3):
        user = UserFactory()
        users_uphold_objection(
            users=User.objects.filter(pk=user.pk), purposes=[Purpose.USAGE], by=None
        )
    # 1 the users, with the objections and the restriction in one WHERE
    with django_assert_num_queries(1):
        list(User.objects.exclude(pk__in=users_not_processable(Purpose.USAGE)))


def test_a_restriction_is_lifted_only_after_the_person_was_told():
    dpo = DpoFactory()
    user = UserFactory()
    users = User.objects.filter(pk=user.pk)
    users_restrict_processing(users=users, by=dpo)
    with pytest.raises(ValidationError, match="Tell the person"):
        users_lift_restriction(users=users, by=dpo)
    user.refresh_from_db()
    assert user.processing_restricted_at is not None

    assert users_notify_restriction_lift(users=users, by=dpo) == 1
    assert users_lift_restriction(users=users, by=dpo) == 1
    user.refresh_from_db()
    assert user.processing_restricted_at is None
    assert user.restriction_lift_notified_at is None
    assert AuditEntry.objects.filter(
        action="user.restriction_lift_notice", target_id=str(user.pk)
    ).exists()


def test_a_notice_given_for_an_earlier_restriction_does_not_cover_a_new_one():
    dpo = DpoFactory()
    users = User.objects.filter(pk=UserFactory().pk)
    users_restrict_processing(users=users, by=dpo)
    users_notify_restriction_lift(users=users, by=dpo)
    users_lift_restriction(users=users, by=dpo)
    users_restrict_processing(users=users, by=dpo)
    with pytest.raises(ValidationError):
        users_lift_restriction(users=users, by=dpo)


@pytest.mark.usefixtures("requires_postgres")
@pytest.mark.django_db(transaction=True)
def test_an_objection_upheld_before_purposes_were_named_keeps_stopping_what_it_stopped():
    """GIVEN a database before objections named purposes, with a person whose objection was
    upheld, one who is restricted, and one with neither
    WHEN the migrations run
    THEN the objection stops each legitimate-interest purpose an objection can stop, the
    restriction is kept, and the third person is untouched."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [("accounts", "0010_group_company_relationship_and_ended_by")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    organisation = old.get_model("accounts", "Organisation").objects.create(
        name="Old Objections Ltd", slug="old-objections"
    )
    OldUser = old.get_model("accounts", "User")
    upheld_at = timezone.now()
    objector, restricted, plain = (
        OldUser.objects.create(
            email=f"{name}@old.example",
            full_name=name,
            organisation=organisation,
            role="member",
            password="!",
            **flags,
        )
        for name, flags in [
            ("objector", {"objection_upheld_at": upheld_at}),
            ("restricted", {"processing_restricted_at": upheld_at}),
            ("plain", {}),
        ]
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    objections = PurposeObjection.objects.filter(user_id=objector.pk)
    assert sorted(objections.values_list("purpose", flat=True)) == [
        "analytics",
        "marketing",
        "usage",
    ]
    assert {objection.upheld_at for objection in objections} == {upheld_at}
    assert User.objects.get(pk=restricted.pk).processing_restricted_at == upheld_at
    assert not PurposeObjection.objects.filter(user_id__in=[restricted.pk, plain.pk]).exists()
    assert not MigrationExecutor(connection).migration_plan(latest)


def test_the_person_sees_their_restriction_and_upheld_objections_in_words(client, verified_client):
    user = UserFactory(processing_restricted_at=SUMMER)
    users_uphold_objection(
        users=User.objects.filter(pk=user.pk),
        purposes=[Purpose.USAGE],
        by=DpoFactory(),
        reference="RR-2026-000042",
    )
    verified_client(user)
    text = visible_text(client.get("/account/"))
    assert internals_in(text) == []
    assert "Processing restricted since" in text
    assert "14 Jul 2026, 14:43 BST" in text
    assert "Objections upheld" in text
    assert "Usage reports to your employer" in text


def test_the_back_office_page_of_a_person_shows_their_restriction_and_objections(
    client, verified_client
):
    dpo = DpoFactory()
    user = UserFactory(processing_restricted_at=SUMMER)
    users_uphold_objection(
        users=User.objects.filter(pk=user.pk), purposes=[Purpose.MARKETING], by=dpo
    )
    verified_client(dpo)
    text = visible_text(client.get(f"/backoffice/people/{user.pk}/"))
    assert "Processing restricted since 14 Jul 2026" in text
    assert "objections upheld to marketing communications" in text
