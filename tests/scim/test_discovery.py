"""The discovery endpoints (RFC 7644 section 4): what a client reads to learn what this
service provider supports. Groups are not offered, so User is the only resource type."""

import pytest

from tests.scim.conftest import USER_SCHEMA, assert_scim_error

pytestmark = pytest.mark.django_db


def test_the_service_provider_config_states_what_is_supported(scim, settings):
    settings.SCIM_MAX_RESULTS = 150

    response = scim.get("/ServiceProviderConfig")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/scim+json"
    config = response.json()
    assert config["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    assert config["patch"] == {"supported": True}
    assert config["filter"] == {"supported": True, "maxResults": 150}
    assert config["bulk"]["supported"] is False
    assert config["sort"] == {"supported": False}
    assert config["changePassword"] == {"supported": False}
    assert config["etag"] == {"supported": True}
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert config["meta"]["location"] == "http://testserver/scim/v2/ServiceProviderConfig"


def test_the_resource_types_are_user_alone(scim):
    listed = scim.get("/ResourceTypes").json()
    user = scim.get("/ResourceTypes/User").json()

    assert [resource["id"] for resource in listed["Resources"]] == ["User"]
    assert listed["totalResults"] == 1
    assert user["endpoint"] == "/Users"
    assert user["schema"] == USER_SCHEMA
    assert_scim_error(scim.get("/ResourceTypes/Group"), 404)


def test_the_user_schema_names_exactly_the_attributes_kept(scim):
    listed = scim.get("/Schemas").json()
    schema = scim.get(f"/Schemas/{USER_SCHEMA}").json()

    assert [resource["id"] for resource in listed["Resources"]] == [USER_SCHEMA]
    names = [attribute["name"] for attribute in schema["attributes"]]
    assert names == ["userName", "name", "displayName", "title", "emails", "active"]
    user_name = schema["attributes"][0]
    assert (user_name["required"], user_name["uniqueness"]) == (True, "server")
    name_parts = [sub["name"] for sub in schema["attributes"][1]["subAttributes"]]
    assert name_parts == ["formatted", "familyName", "givenName"]
    assert_scim_error(scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group"), 404)


@pytest.mark.parametrize(
    "path", ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Users/", "/Users"]
)
def test_the_endpoints_answer_with_or_without_a_trailing_slash(scim, path):
    assert scim.get(path).status_code == 200
    assert scim.get(path.rstrip("/") + "/").status_code == 200
