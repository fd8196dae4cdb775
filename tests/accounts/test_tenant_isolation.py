"""Tenant isolation: organisation A reaches nothing of organisation B, and B's ids answer 404.

GIVEN organisation A (a verified client admin session, and an API key with every scope) and
organisation B (users in every state, an authenticator, an API key)
WHEN A calls every users endpoint and every console page and form with B's ids
THEN each answers 404, and nothing of B has changed or been audited.

The routes are read from the URLconfs, so a new route with an id fails here until it is
walked too.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiScope, EmailChange, OrganisationAPIKey, User
from accounts.urls import console as console_urls
from audit.models import AuditEntry
from config.api_urls import router
from tests.factories import ClientAdminFactory, OrganisationFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db

USER_FIELDS = ("email", "full_name", "job_title", "role", "status", "suspended_reason")


@pytest.fixture
def org_b():
    organisation = OrganisationFactory(slug="org-b")
    users = {
        "active": UserFactory(organisation=organisation, full_name="Bea Active"),
        "suspended": UserFactory(
            organisation=organisation,
            full_name="Ben Suspended",
            status=User.Status.SUSPENDED,
            suspended_reason="On leave",
        ),
        "invited": UserFactory(
            organisation=organisation, full_name="Bo Invited", status=User.Status.INVITED
        ),
        "admin": ClientAdminFactory(organisation=organisation, full_name="Bill Admin"),
    }
    TOTPDevice.objects.create(user=users["active"], name="Phone", confirmed=True)
    key, _ = api_key_for(organisation, name="B's key")
    return {"organisation": organisation, "users": users, "key": key}


@pytest.fixture
def admin_a():
    return ClientAdminFactory(organisation=OrganisationFactory(slug="org-a"))


def snapshot(org_b) -> dict:
    users = {
        name: tuple(User.objects.filter(pk=user.pk).values_list(*USER_FIELDS).get())
        for name, user in org_b["users"].items()
    }
    key = OrganisationAPIKey.objects.filter(pk=org_b["key"].pk).values("revoked", "name").get()
    devices = TOTPDevice.objects.filter(user__organisation=org_b["organisation"]).count()
    invitations = sum(user.invitations.count() for user in org_b["users"].values())
    email_changes = EmailChange.objects.filter(user__organisation=org_b["organisation"]).count()
    return {
        "users": users,
        "key": key,
        "devices": devices,
        "invitations": invitations,
        "email_changes": email_changes,
    }


def audit_on_b(org_b) -> int:
    ids = [str(user.pk) for user in org_b["users"].values()]
    return AuditEntry.objects.filter(target_type="accounts.User", target_id__in=ids).count() + (
        AuditEntry.objects.filter(
            target_type="accounts.OrganisationAPIKey", target_id=org_b["key"].prefix
        ).count()
    )


# --- The REST users endpoints -----------------------------------------------------

# (route name, method, which of B's users, body)
API_CALLS = [
    ("user-detail", "get", "active", None),
    (
        "user-detail",
        "patch",
        "active",
        {"full_name": "Changed by A", "email": "a@org-a.test", "role": "client_admin"},
    ),
    ("user-suspend", "post", "active", {"reason": "Taken over by A"}),
    ("user-reactivate", "post", "suspended", {}),
    ("user-terminate", "post", "active", {}),
    ("user-terminate", "post", "invited", {}),
]


def test_every_users_route_with_an_id_is_walked():
    routes_with_id = {
        url.name
        for url in router.urls
        if "(?P<pk>" in str(url.pattern) and url.name.startswith("user-")
    }
    walked = {name for name, *_ in API_CALLS}
    assert routes_with_id == walked


def api_caller(kind, admin_a, verified_client):
    """A client for org A: its client admin's verified session, or its API key."""
    if kind == "session":
        return verified_client(admin_a), {}
    _, plain = api_key_for(admin_a.organisation, scopes=ApiScope.values)
    return Client(), {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}


@pytest.mark.parametrize("kind", ["session", "api_key"])
@pytest.mark.parametrize(("route", "method", "whom", "body"), API_CALLS)
def test_a_users_endpoint_answers_404_for_another_organisations_user(
    kind, route, method, whom, body, admin_a, org_b, verified_client
):
    client, headers = api_caller(kind, admin_a, verified_client)
    before = snapshot(org_b)
    url = reverse(route, kwargs={"pk": org_b["users"][whom].pk})

    if body is None:
        response = getattr(client, method)(url, **headers)
    else:
        response = getattr(client, method)(
            url, json.dumps(body), content_type="application/json", **headers
        )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert snapshot(org_b) == before
    assert audit_on_b(org_b) == 0


@pytest.mark.parametrize("kind", ["session", "api_key"])
def test_the_users_list_and_search_never_show_another_organisation(
    kind, admin_a, org_b, verified_client
):
    client, headers = api_caller(kind, admin_a, verified_client)
    b_user = org_b["users"]["active"]

    listed = client.get(reverse("user-list"), **headers).json()
    searched = client.get(reverse("user-list") + f"?search={b_user.email}", **headers).json()

    b_ids = {user.pk for user in org_b["users"].values()}
    assert not b_ids & {row["id"] for row in listed["results"]}
    assert searched["count"] == 0


@pytest.mark.parametrize("kind", ["session", "api_key"])
def test_inviting_into_another_organisation_is_refused(kind, admin_a, org_b, verified_client):
    client, headers = api_caller(kind, admin_a, verified_client)

    response = client.post(
        reverse("user-list"),
        json.dumps({"email": "new@org-b.test", "full_name": "New", "organisation": "org-b"}),
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 400
    assert not User.objects.filter(email="new@org-b.test").exists()


# --- The console ----------------------------------------------------------------

# (route name, method, which of B's objects, form data)
CONSOLE_CALLS = [
    ("user", "get", "active", None),
    ("user-edit", "get", "active", None),
    ("user-edit", "post", "active", {"full_name": "Taken", "email": "a@org-a.test"}),
    ("user-role", "post", "active", {"role": "client_admin"}),
    ("user-suspend", "get", "active", None),
    ("user-suspend", "post", "active", {"reason": "Taken over by A"}),
    ("user-reactivate", "get", "suspended", None),
    ("user-reactivate", "post", "suspended", {}),
    ("user-terminate", "get", "active", None),
    ("user-terminate", "post", "active", {}),
    ("user-reset-mfa", "get", "active", None),
    ("user-reset-mfa", "post", "active", {}),
    ("user-reinvite", "get", "invited", None),
    ("user-reinvite", "post", "invited", {}),
    ("api-key-revoke", "get", "key", None),
    ("api-key-revoke", "post", "key", {}),
]


def test_every_console_route_with_an_id_is_walked():
    routes_with_id = {url.name for url in console_urls.urlpatterns if url.pattern.converters}
    walked = {name for name, *_ in CONSOLE_CALLS}
    assert routes_with_id == walked


@pytest.mark.parametrize(("route", "method", "whom", "data"), CONSOLE_CALLS)
def test_a_console_page_answers_404_for_another_organisations_object(
    route, method, whom, data, admin_a, org_b, verified_client
):
    client = verified_client(admin_a)
    before = snapshot(org_b)
    if whom == "key":
        url = reverse(f"console:{route}", kwargs={"prefix": org_b["key"].prefix})
    else:
        url = reverse(f"console:{route}", kwargs={"pk": org_b["users"][whom].pk})

    response = client.get(url) if data is None else client.post(url, data)

    assert response.status_code == 404
    assert snapshot(org_b) == before
    assert audit_on_b(org_b) == 0


def test_the_console_list_and_keys_never_show_another_organisation(admin_a, org_b, verified_client):
    client = verified_client(admin_a)

    users_page = client.get(reverse("console:users") + "?search=B").content.decode()
    keys_page = client.get(reverse("console:api-keys")).content.decode()

    for user in org_b["users"].values():
        assert escape(user.full_name) not in users_page
    assert "B&#x27;s key" not in keys_page
    assert org_b["key"].prefix not in keys_page
