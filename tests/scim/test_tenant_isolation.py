"""Tenant isolation: organisation A's token reaches nothing of organisation B, and B's ids
answer 404 exactly as ids that do not exist.

GIVEN organisation A (a token, and a verified client admin for the console) and
organisation B (users in every state, a directory record, a token)
WHEN A reads, filters, searches, replaces, patches and deletes B's users with its token, and
opens or revokes B's token in the console
THEN each id of B answers 404, B never appears in a list, and nothing of B has changed or
been audited. The routes are read from the URLconfs: a new route with an id fails here until
it is walked.
"""

import pytest
from django.urls import reverse

from accounts.models import EmailChange, Invitation, User
from audit.models import AuditEntry
from scim.models import ScimIdentity, ScimToken
from scim.urls import console as console_urls
from scim.urls import protocol as protocol_urls
from tests.factories import ClientAdminFactory, OrganisationFactory, UserFactory
from tests.scim.conftest import USER_SCHEMA, assert_scim_error, patch_op, token_for

pytestmark = pytest.mark.django_db

USER_FIELDS = ("email", "full_name", "job_title", "role", "status", "suspended_reason")


@pytest.fixture
def org_b():
    organisation = OrganisationFactory(slug="org-b")
    users = {
        "active": UserFactory(organisation=organisation, email="bea@org-b.example"),
        "suspended": UserFactory(organisation=organisation, status=User.Status.SUSPENDED),
        "invited": UserFactory(organisation=organisation, status=User.Status.INVITED),
        "admin": ClientAdminFactory(organisation=organisation),
    }
    ScimIdentity.objects.create(user=users["active"], external_id="b-object-id", given_name="Bea")
    token, _ = token_for(organisation, name="B's directory")
    return {"organisation": organisation, "users": users, "token": token}


@pytest.fixture
def org_a():
    return OrganisationFactory(slug="org-a")


@pytest.fixture
def scim_a(scim_client, org_a):
    _, plain = token_for(org_a, name="A's directory")
    return scim_client(plain)


def snapshot(org_b) -> dict:
    organisation = org_b["organisation"]
    return {
        "users": {
            name: User.objects.filter(pk=user.pk).values_list(*USER_FIELDS).get()
            for name, user in org_b["users"].items()
        },
        "identities": list(
            ScimIdentity.objects.filter(user__organisation=organisation).values_list(
                "external_id", "given_name", "family_name", "updated_at"
            )
        ),
        "token": ScimToken.objects.filter(pk=org_b["token"].pk).values("revoked", "name").get(),
        "invitations": Invitation.objects.filter(user__organisation=organisation).count(),
        "email_changes": EmailChange.objects.filter(user__organisation=organisation).count(),
    }


def audit_on_b(org_b) -> int:
    ids = [str(user.pk) for user in org_b["users"].values()]
    return (
        AuditEntry.objects.filter(target_type="accounts.User", target_id__in=ids).count()
        + AuditEntry.objects.filter(target_id=org_b["token"].prefix).count()
    )


def full_user(email: str) -> dict:
    return {"schemas": [USER_SCHEMA], "userName": email, "displayName": "Taken by A"}


# (route name, method, which of B's users, body)
PROTOCOL_CALLS = [
    ("user", "get", "active", None),
    ("user", "put", "active", full_user("bea@org-b.example")),
    ("user", "put", "suspended", {**full_user("a@org-a.example"), "active": True}),
    ("user", "patch", "active", patch_op({"op": "replace", "value": {"active": False}})),
    ("user", "patch", "active", patch_op({"op": "add", "path": "externalId", "value": "A"})),
    ("user", "patch", "suspended", patch_op({"op": "replace", "path": "active", "value": True})),
    ("user", "patch", "admin", patch_op({"op": "replace", "path": "title", "value": "x"})),
    ("user", "delete", "active", None),
    ("user", "delete", "invited", None),
]


def test_every_scim_route_with_an_id_is_walked():
    with_user_id = {
        url.name for url in protocol_urls.urlpatterns if "user_id" in url.pattern.regex.groupindex
    }
    assert with_user_id == {name for name, *_ in PROTOCOL_CALLS}


@pytest.mark.parametrize(("route", "method", "whom", "body"), PROTOCOL_CALLS)
def test_a_scim_call_on_another_organisations_user_answers_404_and_changes_nothing(
    route, method, whom, body, scim_a, org_b
):
    before = snapshot(org_b)
    path = reverse(f"scim:{route}", kwargs={"user_id": org_b["users"][whom].pk})
    path = path.removeprefix("/scim/v2")

    response = getattr(scim_a, method)(path, *([body] if body is not None else []))

    assert_scim_error(response, 404)
    assert snapshot(org_b) == before
    assert audit_on_b(org_b) == 0


@pytest.mark.parametrize(
    "text",
    [
        None,
        'userName eq "bea@org-b.example"',
        'externalId eq "b-object-id"',
        'name.givenName eq "Bea"',
        'userName co "@"',
        "active eq true or active eq false",
        'not (userName eq "nobody@example")',
        "userName pr",
    ],
)
def test_a_list_filter_or_search_never_shows_another_organisation(text, scim_a, org_a, org_b):
    ours = UserFactory(organisation=org_a)
    query = {"filter": text} if text else {}
    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], **query}

    for response in (scim_a.get("/Users", query), scim_a.post("/Users/.search", search)):
        assert response.status_code == 200
        ids = {int(resource["id"]) for resource in response.json()["Resources"]}
        assert ids <= {ours.pk}
        assert response.json()["totalResults"] == len(ids)
    assert audit_on_b(org_b) == 0


def test_a_create_never_lands_in_another_organisation(scim_a, org_b):
    response = scim_a.post(
        "/Users", {**full_user("new@org-b.example"), "organisation": "org-b", "roles": ["admin"]}
    )

    assert response.status_code == 201
    created = User.objects.get(email="new@org-b.example")
    assert created.organisation.slug == "org-a"
    assert created.role == "member"


# --- The console -----------------------------------------------------------------------

CONSOLE_CALLS = [("token-revoke", "get"), ("token-revoke", "post")]


def test_every_console_route_with_an_id_is_walked():
    with_id = {url.name for url in console_urls.urlpatterns if url.pattern.converters}
    assert with_id == {name for name, _ in CONSOLE_CALLS}


@pytest.mark.parametrize(("route", "method"), CONSOLE_CALLS)
def test_the_console_answers_404_for_another_organisations_token(
    route, method, verified_client, org_a, org_b
):
    admin_a = ClientAdminFactory(organisation=org_a)
    client = verified_client(admin_a)
    before = snapshot(org_b)

    response = getattr(client, method)(
        reverse(f"scim-console:{route}", kwargs={"prefix": org_b["token"].prefix})
    )

    assert response.status_code == 404
    assert snapshot(org_b) == before
    assert audit_on_b(org_b) == 0


def test_the_console_lists_only_the_admins_own_tokens(verified_client, org_a, org_b):
    admin_a = ClientAdminFactory(organisation=org_a)
    token_for(org_a, name="A's directory")

    html = verified_client(admin_a).get(reverse("scim-console:tokens")).content.decode()

    assert "A&#x27;s directory" in html
    assert org_b["token"].prefix not in html
