"""The users API's list is read from compiled rows (accounts.api_selectors) and shown without a
serializer per row (accounts.serializers.listed_users): what a caller reads must be exactly
what UserSerializer shows of the same people, and the same people the ORM would find."""

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from accounts.api_selectors import users_listed_by_api, users_matching
from accounts.models import ApiScope, EmailChange, Role, User
from accounts.selectors import users_visible_to, users_with_pending_email
from accounts.serializers import UserSerializer
from common.statements import CompiledListing
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    UserFactory,
    api_key_for,
)
from usage.buffer import buffer_drain
from usage.models import Action, UsageEvent

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"
WINTER = datetime(2026, 1, 15, 9, 30, 5, 123456, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)


@pytest.fixture
def organisation():
    return OrganisationFactory(slug="acme")


def serialized(users: QuerySet[User]) -> list[dict]:
    """What UserSerializer shows of ``users``, in the list's order, through the JSON renderer."""
    ordered = users_with_pending_email(users.order_by("full_name", "email"))
    return json.loads(json.dumps(UserSerializer(ordered, many=True).data))


def people(organisation) -> None:
    """A member with a pending address, a suspended one, a terminated one, and times in winter
    and in summer (Europe/London is UTC in one and an hour ahead in the other)."""
    pending = UserFactory(organisation=organisation, full_name="Ada Pending", last_login=SUMMER)
    EmailChange.objects.create(
        user=pending,
        old_email=pending.email,
        new_email="ada.new@acme.test",
        nonce=secrets.token_urlsafe(32),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    UserFactory(
        organisation=organisation,
        full_name="Bea Suspended",
        job_title="Analyst “quoted”, with ünicode",
        status=User.Status.SUSPENDED,
        suspended_at=WINTER,
        suspended_reason="Left\nthe team",
        date_joined=WINTER,
    )
    UserFactory(
        organisation=organisation,
        full_name="Cy Terminated",
        status=User.Status.TERMINATED,
        terminated_at=SUMMER,
    )
    ClientAdminFactory(organisation=organisation, full_name="Di Admin")


def test_a_key_reads_exactly_what_the_serializer_shows_of_its_organisation(client, organisation):
    people(organisation)
    people(OrganisationFactory())  # another organisation's, never shown
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS])

    response = client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}")

    assert response.status_code == 200
    assert response.json()["results"] == serialized(User.objects.filter(organisation=organisation))
    assert response.json()["count"] == 4


def test_staff_read_every_organisation_and_the_staff_who_have_none(verified_client, organisation):
    people(organisation)
    dpo = DpoFactory(full_name="Ed Dpo")

    response = verified_client(dpo).get(f"{USERS}?page_size=500")

    assert response.json()["results"] == serialized(User.objects.all())
    assert {"id": dpo.pk, "organisation": None} in [
        {"id": row["id"], "organisation": row["organisation"]} for row in response.json()["results"]
    ]


@pytest.mark.parametrize(
    "filters",
    [
        {"search": "ada"},
        {"search": "ACME.TEST"},
        {"search": "100%"},  # a LIKE wildcard is a character to find, as the ORM escapes it
        {"search": "a_b"},
        {"search": "back\\slash"},
        {"role": Role.CLIENT_ADMIN},
        {"status": User.Status.SUSPENDED},
        {"search": "a", "status": User.Status.ACTIVE, "role": Role.MEMBER},
    ],
)
def test_the_filters_find_who_the_orm_finds(client, organisation, filters):
    people(organisation)
    UserFactory(organisation=organisation, full_name="Per 100% Sure", email="ab@acme.test")
    UserFactory(organisation=organisation, full_name="Under a_b", email="back\\slash@acme.test")
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS])

    response = client.get(USERS, filters, HTTP_AUTHORIZATION=f"Api-Key {plain}")

    expected = users_matching(User.objects.filter(organisation=organisation), **filters)
    assert [row["id"] for row in response.json()["results"]] == [
        row["id"] for row in serialized(expected)
    ]
    assert response.json()["count"] == expected.count()


def test_pages_follow_one_another_and_a_page_past_the_end_is_a_404(client, organisation):
    for n in range(5):
        UserFactory(organisation=organisation, full_name=f"Person {n}")
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS])
    key = {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}

    first = client.get(USERS, {"page_size": 2}, **key).json()
    third = client.get(USERS, {"page_size": 2, "page": 3}, **key).json()
    past = client.get(USERS, {"page_size": 2, "page": 4}, **key)

    assert [row["full_name"] for row in first["results"]] == ["Person 0", "Person 1"]
    assert first["next"].endswith("?page=2&page_size=2") and first["previous"] is None
    assert [row["full_name"] for row in third["results"]] == ["Person 4"]
    assert third["next"] is None
    assert past.status_code == 404


def test_a_member_or_an_anonymous_caller_lists_nobody_and_sends_no_query(
    organisation, django_assert_num_queries
):
    member = UserFactory(organisation=organisation)
    with django_assert_num_queries(0):
        assert users_listed_by_api(member).count() == 0
        assert users_listed_by_api(member).page(0, 50) == (0, [])


def test_a_listing_matches_users_visible_to(organisation):
    people(organisation)
    admin = ClientAdminFactory(organisation=organisation)
    listed = users_listed_by_api(admin)
    assert listed.count() == users_visible_to(admin).count()
    assert [row[0] for row in listed.page(0, 50)[1]] == list(
        users_visible_to(admin).order_by("full_name", "email").values_list("pk", flat=True)
    )


def test_a_value_django_would_write_into_the_sql_text_is_refused():
    def build(*, name=None):
        return User.objects.extra(where=[f"full_name <> '{name}'"]).values_list("pk")  # noqa: S610

    with pytest.raises(ValueError, match="SQL text"):
        CompiledListing(build).listing(name="anyone")


def test_a_key_s_read_keeps_the_security_headers_and_is_recorded_as_an_api_call(
    client, organisation
):
    UserFactory(organisation=organisation)
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS])

    response = client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}")

    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    buffer_drain()
    (event,) = UsageEvent.objects.filter(organisation=organisation, action=Action.API_CALL)
    assert (event.feature, event.status_code, event.user_id) == ("user-list", 200, None)
