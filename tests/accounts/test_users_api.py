"""The users API, /api/v1/users/: for client admins (session) and keys with scope "users"."""

import json

import pytest

from accounts.models import ApiScope, Role, User
from audit.models import AuditEntry
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    UserFactory,
    api_key_for,
)

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


@pytest.fixture
def organisation():
    return OrganisationFactory(slug="acme")


@pytest.fixture
def plain_key(organisation):
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS])
    return plain


def with_key(plain):
    return {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}


def post(client, path, body=None, **extra):
    return client.post(path, json.dumps(body or {}), content_type="application/json", **extra)


def patch(client, path, body, **extra):
    return client.patch(path, json.dumps(body), content_type="application/json", **extra)


# --- Reading ----------------------------------------------------------------------


def test_a_key_lists_the_users_of_its_own_organisation_only(client, organisation, plain_key):
    ours = UserFactory(organisation=organisation, full_name="Ada Ours")
    UserFactory(full_name="Bob Theirs")  # another organisation

    response = client.get(USERS, **with_key(plain_key))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == ours.pk
    assert body["results"][0]["organisation"] == "acme"


def test_the_list_filters_by_role_status_and_name_or_email(client, organisation, plain_key):
    UserFactory(organisation=organisation, full_name="Ada Lovelace", email="ada@acme.test")
    UserFactory(organisation=organisation, full_name="Grace Hopper", status=User.Status.SUSPENDED)
    ClientAdminFactory(organisation=organisation, full_name="Alan Turing")

    def names(query):
        response = client.get(USERS + query, **with_key(plain_key))
        assert response.status_code == 200
        return [row["full_name"] for row in response.json()["results"]]

    assert names("?role=client_admin") == ["Alan Turing"]
    assert names("?status=suspended") == ["Grace Hopper"]
    assert names("?search=ADA@acme") == ["Ada Lovelace"]
    assert names("?search=hopper&status=active") == []


def test_an_unknown_filter_value_is_a_400_naming_the_parameter(client, plain_key):
    response = client.get(USERS + "?status=on-holiday", **with_key(plain_key))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status"}


def test_the_list_query_count_does_not_depend_on_the_page_size(
    client, organisation, plain_key, django_assert_num_queries, settings
):
    # Usage logging adds its own insert per request; its tests pin that.
    settings.USAGE_LOGGING_ENABLED = False
    UserFactory.create_batch(12, organisation=organisation)
    client.get(USERS, **with_key(plain_key))  # the first use writes last_used_at once

    for page_size in (2, 10, 50):
        # the page (organisation joined) with its count; the key is remembered in the cache
        with django_assert_num_queries(1):
            response = client.get(f"{USERS}?page_size={page_size}", **with_key(plain_key))
        assert len(response.json()["results"]) == min(page_size, 12)


def test_a_client_admin_with_verified_mfa_lists_their_users(verified_client, organisation):
    admin = ClientAdminFactory(organisation=organisation)
    UserFactory(organisation=organisation)
    UserFactory()  # another organisation

    response = verified_client(admin).get(USERS)

    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_dpo_staff_see_every_organisation(verified_client, organisation):
    UserFactory(organisation=organisation)
    UserFactory()
    dpo = DpoFactory()

    response = verified_client(dpo).get(USERS)

    assert response.status_code == 200
    assert response.json()["count"] == 3  # both users and the DPO


def test_a_user_is_read_by_id(client, organisation, plain_key):
    user = UserFactory(organisation=organisation, email="ada@acme.test")
    response = client.get(f"{USERS}{user.pk}/", **with_key(plain_key))
    assert response.status_code == 200
    assert response.json()["email"] == "ada@acme.test"


# --- Inviting -------------------------------------------------------------------


def test_creating_a_user_invites_them_by_email(
    client, organisation, plain_key, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            USERS,
            {
                "email": "New.Person@Acme.TEST",
                "full_name": "New Person",
                "job_title": "Analyst",
                "role": "member",
            },
            **with_key(plain_key),
        )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new.person@acme.test"
    assert body["status"] == "invited"
    assert body["role"] == "member"
    assert body["organisation"] == "acme"
    assert [mail.to for mail in mailoutbox] == [["new.person@acme.test"]]
    assert "/accounts/invitation/" in mailoutbox[0].body


def test_the_audit_trail_names_the_key_that_invited(client, organisation):
    key, plain = api_key_for(organisation, scopes=[ApiScope.USERS])

    post(client, USERS, {"email": "n@acme.test", "full_name": "N"}, **with_key(plain))

    entry = AuditEntry.objects.get(action="user.invite")
    assert entry.actor is None
    assert entry.actor_label == f"api-key:{key.prefix} (acme)"
    assert User.objects.get(email="n@acme.test").invitations.get().invited_by is None


@pytest.mark.parametrize("email", ["taken@acme.test", "TAKEN@Acme.Test"])
def test_a_duplicate_email_in_any_case_is_a_409(client, organisation, plain_key, email):
    UserFactory(email="taken@acme.test")  # of any organisation

    response = post(client, USERS, {"email": email, "full_name": "Again"}, **with_key(plain_key))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert User.objects.filter(email="taken@acme.test").count() == 1


def test_an_unknown_field_is_a_400(client, plain_key):
    response = post(
        client,
        USERS,
        {"email": "a@acme.test", "full_name": "A", "is_superuser": True},
        **with_key(plain_key),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"is_superuser": ["Unknown field."]}
    assert not User.objects.filter(email="a@acme.test").exists()


def test_malformed_json_is_a_400(client, plain_key):
    response = client.post(
        USERS, '{"email": "a@acme.test",', content_type="application/json", **with_key(plain_key)
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_wrong_types_and_bad_values_are_a_400_naming_the_fields(client, plain_key):
    response = post(
        client,
        USERS,
        {"email": "not-an-address", "full_name": ["A"], "role": "dpo"},
        **with_key(plain_key),
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email", "full_name", "role"}


def test_a_key_cannot_invite_into_another_organisation(client, plain_key):
    OrganisationFactory(slug="other")
    response = post(
        client,
        USERS,
        {"email": "a@other.test", "full_name": "A", "organisation": "other"},
        **with_key(plain_key),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"organisation": ["Unknown organisation."]}
    assert not User.objects.filter(email="a@other.test").exists()


def test_dpo_staff_name_the_organisation_they_invite_into(verified_client, organisation):
    client = verified_client(DpoFactory())

    missing = post(client, USERS, {"email": "a@acme.test", "full_name": "A"})
    named = post(client, USERS, {"email": "a@acme.test", "full_name": "A", "organisation": "acme"})

    assert missing.status_code == 400
    assert set(missing.json()["error"]["fields"]) == {"organisation"}
    assert named.status_code == 201
    assert User.objects.get(email="a@acme.test").organisation == organisation


# --- Rectifying -----------------------------------------------------------------


def test_patch_rectifies_details_and_changes_the_role(verified_client, organisation):
    user = UserFactory(organisation=organisation, full_name="Ada", email="ada@acme.test")
    # A client admin's session: a key may not make a client admin (tests/accounts/test_api_keys).
    client = verified_client(ClientAdminFactory(organisation=organisation))

    response = patch(
        client,
        f"{USERS}{user.pk}/",
        {"full_name": "Ada Lovelace", "role": "client_admin"},
    )

    assert response.status_code == 200
    assert response.json()["pending_email"] is None
    user.refresh_from_db()
    assert (user.full_name, user.email, user.role) == (
        "Ada Lovelace",
        "ada@acme.test",
        Role.CLIENT_ADMIN,
    )
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"user.rectify", "user.role_change"} <= actions


def test_patch_with_a_new_email_answers_202_and_changes_it_only_once_confirmed(
    client, organisation, plain_key, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(organisation=organisation, full_name="Ada", email="ada@acme.test")

    with django_capture_on_commit_callbacks(execute=True):
        response = patch(
            client,
            f"{USERS}{user.pk}/",
            {"full_name": "Ada Lovelace", "email": "Ada.L@acme.test"},
            **with_key(plain_key),
        )

    assert response.status_code == 202
    body = response.json()
    assert (body["email"], body["pending_email"]) == ("ada@acme.test", "ada.l@acme.test")
    user.refresh_from_db()
    assert (user.full_name, user.email) == ("Ada Lovelace", "ada@acme.test")
    assert sorted(m.to[0] for m in mailoutbox) == ["ada.l@acme.test", "ada@acme.test"]
    assert client.get(f"{USERS}{user.pk}/", **with_key(plain_key)).json()["pending_email"] == (
        "ada.l@acme.test"
    )
    assert AuditEntry.objects.filter(action="user.email_change_request").exists()


def test_patch_to_a_taken_email_answers_as_for_a_free_one_and_changes_nothing(
    client, organisation, plain_key, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@acme.test")
    ada = UserFactory(organisation=organisation, full_name="Ada", email="ada@acme.test")
    bob = UserFactory(organisation=organisation, full_name="Bob", email="bob@acme.test")

    with django_capture_on_commit_callbacks(execute=True):
        taken = patch(
            client, f"{USERS}{ada.pk}/", {"email": "taken@acme.test"}, **with_key(plain_key)
        )
        free = patch(
            client, f"{USERS}{bob.pk}/", {"email": "free@acme.test"}, **with_key(plain_key)
        )

    assert taken.status_code == free.status_code == 202
    assert taken.json()["pending_email"] == "taken@acme.test"
    assert set(taken.json()) == set(free.json())
    ada.refresh_from_db()
    assert ada.email == "ada@acme.test"
    assert len(mailoutbox) == 4  # a link to each new address, a notice to each old one


def test_the_user_list_shows_pending_addresses_without_a_query_per_user(
    client, organisation, plain_key, django_assert_num_queries, settings
):
    settings.USAGE_LOGGING_ENABLED = False  # its own insert per request; its tests pin that
    for n in range(3):
        user = UserFactory(organisation=organisation, email=f"u{n}@acme.test")
        patch(client, f"{USERS}{user.pk}/", {"email": f"new{n}@acme.test"}, **with_key(plain_key))

    # the page with each pending address and the count (the key is remembered in the cache)
    with django_assert_num_queries(1):
        response = client.get(USERS, **with_key(plain_key))

    pending = sorted(row["pending_email"] for row in response.json()["results"])
    assert pending == ["new0@acme.test", "new1@acme.test", "new2@acme.test"]


def test_patch_refuses_fields_that_are_not_rectifiable(client, organisation, plain_key):
    user = UserFactory(organisation=organisation)
    response = patch(client, f"{USERS}{user.pk}/", {"status": "active"}, **with_key(plain_key))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"status": ["Unknown field."]}


def test_put_is_not_offered(client, organisation, plain_key):
    user = UserFactory(organisation=organisation)
    response = client.put(
        f"{USERS}{user.pk}/", "{}", content_type="application/json", **with_key(plain_key)
    )
    assert response.status_code == 405


# --- Life cycle -----------------------------------------------------------------


def test_suspend_needs_a_reason(client, organisation, plain_key):
    user = UserFactory(organisation=organisation)

    empty = post(client, f"{USERS}{user.pk}/suspend/", {}, **with_key(plain_key))
    blank = post(client, f"{USERS}{user.pk}/suspend/", {"reason": " "}, **with_key(plain_key))

    assert empty.status_code == blank.status_code == 400
    assert set(empty.json()["error"]["fields"]) == {"reason"}
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE


def test_suspend_reactivate_and_terminate_walk_the_life_cycle(
    client, organisation, plain_key, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(organisation=organisation)
    path = f"{USERS}{user.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        suspended = post(
            client, f"{path}/suspend/", {"reason": "Left the team"}, **with_key(plain_key)
        )
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["suspended_reason"] == "Left the team"
    assert mailoutbox[-1].to == [user.email]

    reactivated = post(client, f"{path}/reactivate/", **with_key(plain_key))
    assert reactivated.status_code == 200
    assert reactivated.json()["status"] == "active"

    terminated = post(client, f"{path}/terminate/", **with_key(plain_key))
    assert terminated.status_code == 200
    assert terminated.json()["status"] == "terminated"
    user.refresh_from_db()
    assert user.terminated_at is not None
    assert user.terminated_by is None  # a key is no user: the audit entry names it
    assert AuditEntry.objects.filter(
        action="user.terminate", actor_label__startswith="api-key:"
    ).exists()


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (User.Status.ACTIVE, "reactivate"),
        (User.Status.TERMINATED, "suspend"),
        (User.Status.TERMINATED, "terminate"),
    ],
)
def test_a_step_the_account_state_does_not_allow_is_a_409(
    client, organisation, plain_key, status, step
):
    user = UserFactory(organisation=organisation, status=status)

    body = {"reason": "x"} if step == "suspend" else {}
    response = post(client, f"{USERS}{user.pk}/{step}/", body, **with_key(plain_key))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "cannot be" in error["message"]


def test_steps_without_input_refuse_unknown_fields(client, organisation, plain_key):
    user = UserFactory(organisation=organisation, status=User.Status.SUSPENDED)
    response = post(client, f"{USERS}{user.pk}/reactivate/", {"force": True}, **with_key(plain_key))
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.status == User.Status.SUSPENDED


def test_a_client_admin_cannot_suspend_themselves(verified_client, organisation):
    admin = ClientAdminFactory(organisation=organisation)
    response = post(verified_client(admin), f"{USERS}{admin.pk}/suspend/", {"reason": "x"})
    assert response.status_code == 403


# --- Who may call ---------------------------------------------------------------


def test_a_key_without_the_users_scope_is_a_403(client, organisation):
    _, plain = api_key_for(organisation, scopes=[ApiScope.USAGE_READ, ApiScope.DSAR])
    response = client.get(USERS, **with_key(plain))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"


def test_a_member_session_is_a_403(verified_client, organisation):
    member = UserFactory(organisation=organisation)
    response = verified_client(member).get(USERS)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_client_admin_without_verified_mfa_is_a_403(client, organisation):
    admin = ClientAdminFactory(organisation=organisation)
    client.force_login(admin)

    response = client.get(USERS)

    # The MFA middleware may stop the request before the API does; either way it is a 403.
    assert response.status_code == 403


def test_an_anonymous_caller_is_refused(client):
    response = client.get(USERS)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_session_post_without_a_csrf_token_is_refused(organisation, verified_client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    verified_client(ClientAdminFactory(organisation=organisation), client=csrf_client)

    response = post(csrf_client, USERS, {"email": "a@acme.test", "full_name": "A"})

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert not User.objects.filter(email="a@acme.test").exists()


def test_a_key_needs_no_csrf_token(organisation, plain_key):
    from django.test import Client

    response = post(
        Client(enforce_csrf_checks=True),
        USERS,
        {"email": "a@acme.test", "full_name": "A"},
        **with_key(plain_key),
    )
    assert response.status_code == 201


def test_the_permission_itself_requires_verified_mfa_of_privileged_session_users(organisation):
    # The MFA middleware usually answers first; the API does not depend on it.
    from types import SimpleNamespace

    from accounts.permissions import HasScope

    admin = ClientAdminFactory(organisation=organisation)
    permission = HasScope(ApiScope.USERS)()

    admin.is_verified = lambda: False
    assert not permission.has_permission(SimpleNamespace(user=admin), None)
    assert permission.code == "mfa_required"

    admin.is_verified = lambda: True
    assert HasScope(ApiScope.USERS)().has_permission(SimpleNamespace(user=admin), None)
