"""A client admin's view of a user's logins and sessions, and each users-API read of one user,
join the audit trail as the back office's views of a person do."""

import pytest

from accounts.models import ApiScope
from audit.models import AuditEntry
from tests.factories import ClientAdminFactory, DpoFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db


def views_of(person):
    return AuditEntry.objects.filter(
        action="user.view", target_type="accounts.User", target_id=str(person.pk)
    )


def test_a_client_admin_opening_a_users_logins_and_sessions_is_audited(verified_client):
    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation)

    response = verified_client(admin).get(f"/console/users/{member.pk}/")

    assert response.status_code == 200
    (entry,) = views_of(member)
    assert entry.actor == admin
    assert "logins and sessions" in entry.details["seen"]


def test_a_console_view_refused_for_another_organisations_user_records_no_view(verified_client):
    admin = ClientAdminFactory()
    stranger = UserFactory()

    response = verified_client(admin).get(f"/console/users/{stranger.pk}/")

    assert response.status_code == 404
    assert not views_of(stranger).exists()


def test_a_members_attempt_at_the_console_view_is_refused_and_records_no_view(verified_client):
    member = UserFactory()
    colleague = UserFactory(organisation=member.organisation)

    response = verified_client(member).get(f"/console/users/{colleague.pk}/")

    assert response.status_code == 403
    assert not views_of(colleague).exists()


def test_each_api_read_of_one_user_is_audited_naming_the_key(client):
    member = UserFactory()
    key, plain = api_key_for(member.organisation, scopes=[ApiScope.USERS])
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}

    first = client.get(f"/api/v1/users/{member.pk}/", **headers)
    second = client.get(f"/api/v1/users/{member.pk}/", **headers)

    assert first.status_code == second.status_code == 200
    entries = list(views_of(member))
    assert len(entries) == 2
    assert entries[0].actor is None  # a key is no user row; it names itself
    assert key.prefix in entries[0].actor_label
    assert "users API" in entries[0].details["seen"]


def test_an_api_read_by_a_session_user_is_audited_under_their_name(verified_client):
    dpo = DpoFactory()
    member = UserFactory()

    response = verified_client(dpo).get(f"/api/v1/users/{member.pk}/")

    assert response.status_code == 200
    assert views_of(member).get().actor == dpo


def test_an_api_read_of_another_organisations_user_is_a_404_and_records_no_view(client):
    member = UserFactory()
    _, plain = api_key_for(UserFactory().organisation, scopes=[ApiScope.USERS])

    response = client.get(f"/api/v1/users/{member.pk}/", HTTP_AUTHORIZATION=f"Api-Key {plain}")

    assert response.status_code == 404
    assert not views_of(member).exists()


def test_listing_users_is_not_recorded_as_a_view_of_each(verified_client):
    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation)
    verified_client(admin).get("/api/v1/users/")
    assert not views_of(member).exists()
