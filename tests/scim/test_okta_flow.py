"""Okta's provisioning sequence, with the payloads Okta documents for a SCIM 2.0 app: the
connector test, a lookup by userName, the create (with the password Okta sends when password
sync is on, which is ignored), a read, profile updates by PUT, and deactivation and
reactivation by PATCH without a path."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from tests.scim.conftest import USER_SCHEMA, assert_scim_error, patch_op

pytestmark = pytest.mark.django_db

OKTA_CREATE = {
    "schemas": [USER_SCHEMA],
    "userName": "test.user@northwind.example",
    "name": {"givenName": "Test", "familyName": "User"},
    "emails": [{"primary": True, "value": "test.user@northwind.example", "type": "work"}],
    "displayName": "Test User",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}


def okta_put(user_id: str, **changes) -> dict:
    body = {
        "schemas": [USER_SCHEMA],
        "id": user_id,
        "userName": "test.user@northwind.example",
        "name": {"givenName": "Another", "familyName": "User"},
        "emails": [{"primary": True, "value": "test.user@northwind.example", "type": "work"}],
        "active": True,
        "groups": [],
        "meta": {"resourceType": "User"},
    }
    return {**body, **changes}


def test_okta_tests_the_connector_then_creates_a_user_after_an_empty_lookup(scim, organisation):
    connector = scim.get("/Users", {"startIndex": "1", "count": "1"})
    lookup = scim.get(
        "/Users",
        {"filter": 'userName eq "test.user@northwind.example"', "startIndex": "1", "count": "100"},
    )

    assert connector.status_code == lookup.status_code == 200
    assert connector.json()["totalResults"] == 0
    assert lookup.json()["Resources"] == []

    response = scim.post("/Users", OKTA_CREATE)

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(pk=int(body["id"]))
    assert (user.email, user.full_name, user.status) == (
        "test.user@northwind.example",
        "Test User",
        User.Status.INVITED,
    )
    assert body["externalId"] == "00ujl29u0le5T6Aj10h7"
    assert body["name"] == {"formatted": "Test User", "givenName": "Test", "familyName": "User"}
    # Passwords are never taken from a directory: the person sets theirs from the invitation.
    assert not user.has_usable_password()
    assert "password" not in body
    assert "1mz050nq" not in str(list(AuditEntry.objects.values_list("details", flat=True)))
    assert [message.to for message in mail.outbox] == [["test.user@northwind.example"]]
    assert "/accounts/invitation/" in mail.outbox[0].body


def test_okta_reads_the_user_and_updates_the_profile_by_put(scim):
    user_id = scim.post("/Users", OKTA_CREATE).json()["id"]

    read = scim.get(f"/Users/{user_id}")
    updated = scim.put(f"/Users/{user_id}", okta_put(user_id))

    assert read.status_code == 200
    assert read.json()["displayName"] == "Test User"
    assert updated.status_code == 200, updated.content
    user = User.objects.get(pk=int(user_id))
    # No displayName in Okta's PUT: the given and family names make the full name.
    assert user.full_name == "Another User"
    assert updated.json()["name"]["givenName"] == "Another"
    # PUT replaces: the externalId it left out is gone, as is any title.
    assert "externalId" not in updated.json()
    assert AuditEntry.objects.filter(action="user.rectify", target_id=user_id).exists()
    assert AuditEntry.objects.filter(action="user.view", target_id=user_id).count() == 1


def test_a_put_that_changes_nothing_records_nothing(scim):
    user_id = scim.post("/Users", OKTA_CREATE).json()["id"]
    scim.put(f"/Users/{user_id}", okta_put(user_id))
    entries = AuditEntry.objects.count()

    again = scim.put(f"/Users/{user_id}", okta_put(user_id))

    assert again.status_code == 200
    assert AuditEntry.objects.count() == entries


def test_okta_deactivates_and_reactivates_by_patch_without_a_path(scim, organisation):
    user_id = scim.post("/Users", OKTA_CREATE).json()["id"]
    user = User.objects.get(pk=int(user_id))
    user.status = User.Status.ACTIVE  # they accepted their invitation
    user.save(update_fields=["status"])
    browser = Client()
    browser.force_login(user)
    mail.outbox.clear()

    off = scim.patch(f"/Users/{user_id}", patch_op({"op": "replace", "value": {"active": False}}))

    assert off.status_code == 200
    assert off.json()["active"] is False
    user.refresh_from_db()
    assert user.status == User.Status.SUSPENDED
    assert browser.get("/account/").status_code == 302
    assert mail.outbox[-1].subject == "Your PrivacyDesk account was suspended"

    on = scim.patch(f"/Users/{user_id}", patch_op({"op": "replace", "value": {"active": True}}))

    assert on.json()["active"] is True
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE
    assert mail.outbox[-1].subject == "Your PrivacyDesk account was reactivated"


def test_a_user_created_inactive_is_suspended_and_sent_no_invitation(scim):
    response = scim.post("/Users", {**OKTA_CREATE, "active": False})

    assert response.status_code == 201
    assert response.json()["active"] is False
    user = User.objects.get(pk=int(response.json()["id"]))
    assert user.status == User.Status.SUSPENDED
    # The link could not be accepted by a suspended account: it is not sent.
    assert [message.subject for message in mail.outbox] == [
        "Your PrivacyDesk account was suspended"
    ]


def test_a_put_with_an_if_match_of_an_old_version_is_refused(scim):
    created = scim.post("/Users", OKTA_CREATE).json()
    user_id, version = created["id"], created["meta"]["version"]
    scim.put(f"/Users/{user_id}", okta_put(user_id))

    stale = scim.put(f"/Users/{user_id}", okta_put(user_id, title="CTO"), HTTP_IF_MATCH=version)
    fresh_version = scim.get(f"/Users/{user_id}").json()["meta"]["version"]
    fresh = scim.put(
        f"/Users/{user_id}", okta_put(user_id, title="CTO"), HTTP_IF_MATCH=fresh_version
    )

    assert_scim_error(stale, 412)
    assert fresh.status_code == 200
    assert fresh.json()["title"] == "CTO"
    assert fresh.json()["meta"]["version"] != fresh_version


def test_a_read_of_the_version_already_held_answers_304(scim):
    created = scim.post("/Users", OKTA_CREATE).json()

    response = scim.get(f"/Users/{created['id']}", HTTP_IF_NONE_MATCH=created["meta"]["version"])

    assert response.status_code == 304
