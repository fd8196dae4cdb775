"""Microsoft Entra ID's provisioning sequence, with the payloads Microsoft documents for a
SCIM endpoint ("Develop and plan provisioning for a SCIM endpoint"): look a user up by
userName, create them, read them back, PATCH attributes with "Replace"/"Add" and paths like
emails[type eq "work"].value, disable them with the string "False", enable, and delete.

userName here is e-mail-shaped, as PrivacyDesk requires (the admin maps userPrincipalName or
mail to it); everything else is as Entra sends it.
"""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import EmailChange, User
from audit.models import AuditEntry
from scim.models import ScimIdentity
from tests.factories import ClientAdminFactory, UserFactory
from tests.scim.conftest import USER_SCHEMA, assert_scim_error, patch_op

pytestmark = pytest.mark.django_db

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

ENTRA_CREATE = {
    "schemas": [USER_SCHEMA, ENTERPRISE],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee@northwind.example",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "Test_User_fd0ea19b@northwind.example"}],
    "meta": {"resourceType": "User"},
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName",
    },
    "roles": [],
    ENTERPRISE: {"employeeNumber": "701984", "department": "Tour Operations"},
}


def created(scim) -> dict:
    response = scim.post("/Users", ENTRA_CREATE)
    assert response.status_code == 201, response.content
    return response.json()


def test_entra_looks_a_user_up_then_creates_them_as_an_invited_member(scim, organisation):
    lookup = scim.get("/Users", {"filter": 'userName eq "Test_User_ab6490ee@northwind.example"'})
    assert lookup.status_code == 200
    assert lookup.json()["totalResults"] == 0
    assert lookup.json()["Resources"] == []

    response = scim.post("/Users", ENTRA_CREATE)

    assert response.status_code == 201
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    user = User.objects.get(pk=int(body["id"]))
    assert response["Location"] == f"http://testserver/scim/v2/Users/{user.pk}"
    assert response["ETag"] == body["meta"]["version"]
    assert (user.organisation, user.role, user.status) == (organisation, "member", "invited")
    assert user.email == "test_user_ab6490ee@northwind.example"
    assert user.full_name == "givenName familyName"  # from name.formatted
    assert body["userName"] == user.email
    assert body["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert body["name"] == {
        "formatted": "givenName familyName",
        "givenName": "givenName",
        "familyName": "familyName",
    }
    assert body["emails"] == [{"value": user.email, "type": "work", "primary": True}]
    assert body["active"] is True
    assert body["meta"]["resourceType"] == "User"
    # The console's invitation: a one-time link by e-mail, audited as the token's doing.
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "invited" in mail.outbox[0].subject
    entry = AuditEntry.objects.get(action="user.invite", target_id=str(user.pk))
    assert entry.actor is None
    assert entry.actor_label.startswith("scim-token:")
    assert entry.actor_label.endswith("(northwind)")


def test_entra_finds_the_created_user_by_username_and_by_external_id(scim):
    body = created(scim)

    by_name = scim.get("/Users", {"filter": 'userName eq "TEST_USER_AB6490EE@northwind.example"'})
    by_external = scim.get(
        "/Users", {"filter": 'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"'}
    )
    by_id = scim.get(f"/Users/{body['id']}")

    for response in (by_name, by_external):
        assert response.status_code == 200
        listed = response.json()
        assert listed["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
        assert (listed["totalResults"], listed["itemsPerPage"], listed["startIndex"]) == (1, 1, 1)
        assert listed["Resources"][0]["id"] == body["id"]
    assert by_id.status_code == 200
    assert by_id.json() == body


def test_entra_patches_names_title_and_ignores_what_it_maps_but_we_do_not_keep(scim):
    body = created(scim)
    user = User.objects.get(pk=int(body["id"]))
    mail.outbox.clear()

    response = scim.patch(
        f"/Users/{body['id']}",
        patch_op(
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "updatedEmail@northwind.example",
            },
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            {"op": "Replace", "path": "displayName", "value": "Grace Hopper"},
            {"op": "Add", "path": "title", "value": "Rear Admiral"},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Navy"},
            {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+44 20"},
        ),
    )

    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert (user.full_name, user.job_title) == ("Grace Hopper", "Rear Admiral")
    assert ScimIdentity.objects.get(user=user).family_name == "updatedFamilyName"
    assert response.json()["name"]["familyName"] == "updatedFamilyName"
    assert response.json()["title"] == "Rear Admiral"
    # emails mirror userName: the work address sent is not a change of address.
    assert user.email == "test_user_ab6490ee@northwind.example"
    assert not EmailChange.objects.exists()
    changes = AuditEntry.objects.filter(action="user.rectify", target_id=str(user.pk))
    assert sorted(field for entry in changes for field in entry.details["fields"]) == [
        "family_name",
        "full_name",
        "job_title",
    ]


def test_a_new_username_is_asked_for_once_and_changes_when_its_owner_confirms(scim):
    body = created(scim)
    user = User.objects.get(pk=int(body["id"]))
    mail.outbox.clear()
    rename = patch_op({"op": "Replace", "path": "userName", "value": "grace@northwind.example"})

    first = scim.patch(f"/Users/{body['id']}", rename)
    again = scim.patch(f"/Users/{body['id']}", rename)  # the next sync cycle sends it again

    assert first.status_code == again.status_code == 200
    # Only its owner can make an address the account's: until then userName stands.
    assert again.json()["userName"] == "test_user_ab6490ee@northwind.example"
    change = EmailChange.objects.get(user=user)
    assert change.new_email == "grace@northwind.example"
    assert change.confirmed_at is None
    assert sorted(message.to[0] for message in mail.outbox) == [
        "grace@northwind.example",
        "test_user_ab6490ee@northwind.example",
    ]


def test_entra_disables_with_the_string_false_and_the_persons_sessions_end(scim, organisation):
    person = UserFactory(organisation=organisation, email="ada@northwind.example")
    browser = Client()
    browser.force_login(person)
    assert browser.get("/account/").status_code == 200
    mail.outbox.clear()

    response = scim.patch(
        f"/Users/{person.pk}", patch_op({"op": "Replace", "path": "active", "value": "False"})
    )

    assert response.status_code == 200
    assert response.json()["active"] is False
    person.refresh_from_db()
    assert person.status == User.Status.SUSPENDED
    assert "directory" in person.suspended_reason
    assert browser.get("/account/").status_code == 302  # logged out
    assert [message.subject for message in mail.outbox] == [
        "Your PrivacyDesk account was suspended"
    ]
    assert AuditEntry.objects.filter(action="user.suspend", target_id=str(person.pk)).exists()

    enabled = scim.patch(
        f"/Users/{person.pk}", patch_op({"op": "Replace", "path": "active", "value": "True"})
    )

    assert enabled.json()["active"] is True
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE
    assert AuditEntry.objects.filter(action="user.reactivate", target_id=str(person.pk)).exists()


def test_a_repeated_disable_changes_nothing_more(scim, organisation):
    person = UserFactory(organisation=organisation)
    disable = patch_op({"op": "Replace", "path": "active", "value": False})

    scim.patch(f"/Users/{person.pk}", disable)
    again = scim.patch(f"/Users/{person.pk}", disable)

    assert again.status_code == 200
    assert AuditEntry.objects.filter(action="user.suspend", target_id=str(person.pk)).count() == 1


def test_entra_deletes_a_user_the_account_is_terminated_and_then_reads_as_absent(
    scim, organisation
):
    person = UserFactory(organisation=organisation, email="leaver@northwind.example")
    browser = Client()
    browser.force_login(person)

    response = scim.delete(f"/Users/{person.pk}")

    assert response.status_code == 204
    assert response.content == b""
    person.refresh_from_db()
    assert person.status == User.Status.TERMINATED
    assert person.terminated_at is not None
    assert browser.get("/account/").status_code == 302
    assert AuditEntry.objects.filter(action="user.terminate", target_id=str(person.pk)).exists()
    assert_scim_error(scim.get(f"/Users/{person.pk}"), 404)
    assert_scim_error(scim.delete(f"/Users/{person.pk}"), 404)
    listed = scim.get("/Users", {"filter": 'userName eq "leaver@northwind.example"'}).json()
    assert listed["totalResults"] == 0
    # The address stays the closed account's until its data is erased.
    again = scim.post("/Users", {"schemas": [USER_SCHEMA], "userName": "leaver@northwind.example"})
    body = assert_scim_error(again, 409, "uniqueness")
    assert "closed account of your organisation" in body["detail"]


def test_a_directory_resending_the_current_address_leaves_a_pending_change_alone(
    scim, organisation, verified_client
):
    person = UserFactory(organisation=organisation, email="ada@northwind.example")
    admin = verified_client(ClientAdminFactory(organisation=organisation))
    admin.post(
        f"/console/users/{person.pk}/edit/",
        {"full_name": person.full_name, "job_title": "", "email": "ada.king@northwind.example"},
    )
    assert EmailChange.objects.filter(user=person, cancelled_at__isnull=True).count() == 1

    scim.patch(
        f"/Users/{person.pk}",
        patch_op({"op": "Replace", "path": "userName", "value": "ada@northwind.example"}),
    )

    assert EmailChange.objects.filter(user=person, cancelled_at__isnull=True).count() == 1


def test_a_name_made_of_its_parts_follows_a_patch_of_one_part(scim):
    body = created(scim)  # the full name came from the parts: "givenName familyName"

    response = scim.patch(
        f"/Users/{body['id']}",
        patch_op({"op": "Replace", "path": "name.familyName", "value": "Byron"}),
    )

    assert response.json()["displayName"] == "givenName Byron"
    assert User.objects.get(pk=int(body["id"])).full_name == "givenName Byron"


def test_a_name_set_in_the_console_stays_when_a_directory_patches_a_part(scim, organisation):
    person = UserFactory(organisation=organisation, full_name="Ada, Countess of Lovelace")

    scim.patch(
        f"/Users/{person.pk}",
        patch_op({"op": "Add", "path": "name.givenName", "value": "Augusta"}),
    )

    person.refresh_from_db()
    assert person.full_name == "Ada, Countess of Lovelace"
    assert ScimIdentity.objects.get(user=person).given_name == "Augusta"
