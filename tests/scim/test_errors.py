"""Every refusal of /scim/v2/ is a SCIM error body (RFC 7644 section 3.12): the Error schema,
the status as a string, a scimType where the RFC defines one, as application/scim+json."""

import pytest
from django.utils import timezone

from accounts.models import Organisation, User
from security.models import Investigation
from tests.factories import ClientAdminFactory, UserFactory
from tests.scim.conftest import (
    SCIM,
    USER_SCHEMA,
    ScimClient,
    assert_scim_error,
    patch_op,
    token_for,
)

pytestmark = pytest.mark.django_db


def new_user(email="new@northwind.example", **fields):
    return {"schemas": [USER_SCHEMA], "userName": email, **fields}


# --- 401, 429: the token -------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer not-a-token",
        "Bearer abcdefgh.0123456789abcdef0123456789abcdef",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 500,
    ],
)
def test_a_request_without_a_valid_token_is_a_401_with_a_bearer_challenge(authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = ScimClient(None).client.get(f"{SCIM}/Users", **headers)

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="PrivacyDesk SCIM"'


def test_a_revoked_token_and_a_closed_organisations_token_are_refused(organisation):
    revoked_token, revoked = token_for(organisation, name="Old")
    revoked_token.revoked = True
    revoked_token.save()
    _, closed = token_for(organisation, name="Current")

    assert_scim_error(ScimClient(revoked).get("/Users"), 401)
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.CLOSED)
    assert_scim_error(ScimClient(closed).get("/Users"), 401)


def test_the_token_is_the_one_way_in_a_logged_in_browser_gets_a_401(verified_client, organisation):
    admin = ClientAdminFactory(organisation=organisation)

    response = verified_client(admin).get(f"{SCIM}/Users")

    assert_scim_error(response, 401)


def test_repeated_bad_tokens_from_one_address_get_429_and_open_an_investigation(settings):
    settings.API_KEY_FAILURE_LIMIT = 3
    caller = ScimClient("abcdefgh.wrong")

    answers = [caller.get("/Users").status_code for _ in range(4)]

    assert answers == [401, 401, 401, 429]
    body = assert_scim_error(caller.get("/Users"), 429)
    assert "Too many" in body["detail"]
    assert Investigation.objects.filter(rule="api_key_failure_burst").count() == 1


def test_a_token_past_its_rate_gets_429_with_retry_after(scim, settings):
    settings.SCIM_REQUESTS_PER_MINUTE = 2

    answers = [scim.get("/Users").status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    response = scim.get("/Users")
    assert_scim_error(response, 429)
    assert response["Retry-After"] == "60"


def test_the_token_records_when_it_was_last_used(organisation):
    token, plain = token_for(organisation)

    ScimClient(plain).get("/Users")

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timezone.timedelta(minutes=1)


# --- 403, 404, 405, 409, 412, 413, 501 -----------------------------------------------


def test_a_client_admin_is_seen_but_never_changed_by_a_token(scim, organisation):
    admin = ClientAdminFactory(organisation=organisation, full_name="Alan Admin")

    read = scim.get(f"/Users/{admin.pk}")
    same = scim.patch(
        f"/Users/{admin.pk}",
        patch_op({"op": "add", "path": "externalId", "value": "entra-object-id"}),
    )
    renamed = scim.patch(
        f"/Users/{admin.pk}", patch_op({"op": "replace", "path": "displayName", "value": "X"})
    )
    disabled = scim.patch(
        f"/Users/{admin.pk}", patch_op({"op": "replace", "path": "active", "value": False})
    )
    deleted = scim.delete(f"/Users/{admin.pk}")

    # The directory may match it and keep its own id for it; the account is the console's.
    assert read.status_code == same.status_code == 200
    assert same.json()["externalId"] == "entra-object-id"
    for response in (renamed, disabled, deleted):
        body = assert_scim_error(response, 403)
        assert "client admin" in body["detail"]
    admin.refresh_from_db()
    assert (admin.full_name, admin.status) == ("Alan Admin", User.Status.ACTIVE)


def test_an_account_held_for_security_review_is_not_reactivated_by_the_directory(
    scim, organisation
):
    person = UserFactory(organisation=organisation, status=User.Status.SUSPENDED)
    Investigation.objects.create(
        user=person,
        organisation=organisation,
        rule="many_ips_in_hour",
        severity="high",
        summary="Logins from four addresses in an hour",
        account_suspended=True,
    )

    response = scim.patch(
        f"/Users/{person.pk}", patch_op({"op": "replace", "path": "active", "value": True})
    )

    assert_scim_error(response, 403)
    person.refresh_from_db()
    assert person.status == User.Status.SUSPENDED


@pytest.mark.parametrize("path", ["/Users/987654", "/Users/abc", "/Users/1e3", "/Users/-1"])
def test_an_unknown_user_is_a_404(scim, path):
    assert_scim_error(scim.get(path), 404)
    assert_scim_error(scim.delete(path), 404)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/Groups", 404), ("/Groups/1", 404), ("/Bulk", 501), ("/Me", 501), ("/Nonsense", 404)],
)
def test_what_is_not_offered_answers_in_the_scim_shape(scim, path, status):
    assert_scim_error(scim.get(path), status)


def test_the_staff_and_users_of_no_organisation_are_not_seen(scim):
    from tests.factories import DpoFactory

    dpo = DpoFactory()

    assert_scim_error(scim.get(f"/Users/{dpo.pk}"), 404)


def test_a_method_the_endpoint_does_not_take_is_a_405(scim):
    response = scim.put("/Users", new_user())

    assert_scim_error(response, 405)
    assert response["Allow"] == "GET, POST"


def test_an_address_in_use_by_another_organisation_is_a_409_uniqueness(scim):
    UserFactory(email="taken@elsewhere.example")

    response = scim.post("/Users", new_user("Taken@Elsewhere.example"))

    body = assert_scim_error(response, 409, "uniqueness")
    assert body["detail"] == "userName is already in use by another account."


def test_an_address_outside_the_organisations_domains_is_refused(scim, organisation):
    organisation.allowed_email_domains = ["northwind.example"]
    organisation.save()

    response = scim.post("/Users", new_user("someone@gmail.example"))

    body = assert_scim_error(response, 400, "invalidValue")
    assert "northwind.example" in body["detail"]
    assert not User.objects.filter(email="someone@gmail.example").exists()


def test_a_body_over_the_upload_limit_is_a_413(scim, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = scim.post("/Users", new_user(displayName="x" * 2000))

    assert_scim_error(response, 413)


# --- 400: the request -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'nickName eq "ada"',  # an attribute we do not keep: never silently widened
        'userName eq "ada" or nickName eq "x"',
        "userName eq",
        'userName regex "a.*"',
        'active gt "true"',
        'active eq "maybe"',
        'meta.lastModified gt "2011-05-13T04:42:34Z"',
        "",
        "x" * 1200,
    ],
)
def test_a_filter_that_cannot_be_applied_is_a_400_invalid_filter(scim, text):
    UserFactory.create_batch(2)

    response = scim.get("/Users", {"filter": text})

    assert_scim_error(response, 400, "invalidFilter")


def test_a_search_with_a_nul_in_the_filter_is_refused_before_the_database(scim):
    response = scim.post(
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "a\u0000b"',
        },
    )

    assert_scim_error(response, 400, "invalidFilter")


def test_a_control_character_in_the_query_string_is_a_scim_400(scim):
    response = scim.get("/Users", {"filter": 'userName eq "\x01"'})

    assert_scim_error(response, 400)


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ("{not json", "invalidSyntax"),
        ("[1, 2]", "invalidSyntax"),
        ('"a string"', "invalidSyntax"),
        ("[" * 5000 + "]" * 5000, "invalidSyntax"),
        ('{"userName": "\\ud800@x.example"}', "invalidSyntax"),
        ({"schemas": ["urn:example:Other"], "userName": "a@northwind.example"}, "invalidSyntax"),
        ({"schemas": [USER_SCHEMA]}, "invalidValue"),
        ({"schemas": [USER_SCHEMA], "userName": "not an address"}, "invalidValue"),
        ({"schemas": [USER_SCHEMA], "userName": 42}, "invalidValue"),
        ({"userName": "a@northwind.example", "active": "maybe"}, "invalidValue"),
        ({"userName": "a@northwind.example", "displayName": "x" * 151}, "invalidValue"),
        ({"userName": "a@northwind.example", "displayName": "A\u0000B"}, "invalidValue"),
        ({"userName": "a@northwind.example", "name": "Ada"}, "invalidValue"),
    ],
)
def test_a_create_the_service_cannot_read_is_a_400(scim, body, scim_type):
    response = scim.post("/Users", body)

    assert_scim_error(response, 400, scim_type)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}, "invalidSyntax"),
        (patch_op(), "invalidSyntax"),
        ({"schemas": [USER_SCHEMA], "Operations": [{"op": "add"}]}, "invalidSyntax"),
        (patch_op({"op": "move", "path": "title", "value": "x"}), "invalidSyntax"),
        (patch_op({"op": 3, "path": "title", "value": "x"}), "invalidSyntax"),
        (patch_op("replace"), "invalidSyntax"),
        (patch_op({"op": "remove"}), "noTarget"),
        (patch_op({"op": "replace", "value": "x"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "title"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "title eq", "value": "x"}), "invalidPath"),
        (patch_op({"op": "add", "path": 'title eq "x" or userName', "value": "x"}), "invalidPath"),
        (patch_op({"op": "replace", "path": "title.sub", "value": "x"}), "invalidPath"),
        (patch_op({"op": "add", "path": 'name[givenName eq "x"]', "value": "x"}), "invalidPath"),
        (patch_op({"op": "replace", "path": "", "value": {"x y": 1}}), "invalidPath"),
        (patch_op({"op": "replace", "path": "id", "value": "1"}), "mutability"),
        (patch_op({"op": "remove", "path": "userName"}), "mutability"),
        (patch_op({"op": "replace", "path": "userName", "value": "nope"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "active", "value": "yes"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "name", "value": "Ada"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "title", "value": ["x"]}), "invalidValue"),
        (patch_op(*[{"op": "add", "path": "title", "value": "x"}] * 101), "invalidValue"),
    ],
)
def test_a_patch_the_service_cannot_apply_is_a_400_and_changes_nothing(
    scim, organisation, body, scim_type
):
    person = UserFactory(organisation=organisation, job_title="Engineer")
    before = User.objects.filter(pk=person.pk).values().get()

    response = scim.patch(f"/Users/{person.pk}", body)

    assert_scim_error(response, 400, scim_type)
    assert User.objects.filter(pk=person.pk).values().get() == before


def test_an_operation_refused_midway_undoes_the_ones_before_it(scim, organisation):
    person = UserFactory(organisation=organisation, job_title="Engineer")

    response = scim.patch(
        f"/Users/{person.pk}",
        patch_op(
            {"op": "replace", "path": "title", "value": "Manager"},
            {"op": "replace", "path": "active", "value": "perhaps"},
        ),
    )

    assert_scim_error(response, 400, "invalidValue")
    person.refresh_from_db()
    assert person.job_title == "Engineer"


@pytest.mark.parametrize(
    "query", [{"startIndex": "one"}, {"count": "many"}, {"count": "1.5"}, {"startIndex": "9" * 30}]
)
def test_paging_values_that_are_not_whole_numbers_are_a_400(scim, query):
    assert_scim_error(scim.get("/Users", query), 400, "invalidValue")


def test_a_search_request_must_say_it_is_one(scim):
    response = scim.post("/Users/.search", {"filter": 'userName eq "a"'})

    assert_scim_error(response, 400, "invalidSyntax")


def test_an_address_outside_the_scim_routes_answers_in_the_scim_shape_too(scim):
    response = scim.client.get("/scim/v1/Users", **scim.headers)

    assert_scim_error(response, 404)


def test_even_a_failure_of_ours_answers_in_the_scim_shape(scim, organisation, monkeypatch):
    person = UserFactory(organisation=organisation)

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("scim.views.protocol.scim_user_delete", broken)

    response = scim.delete(f"/Users/{person.pk}")

    assert_scim_error(response, 500)
    assert "a bug" not in response.content.decode()
