"""PATCH operations applied to a user's writable attributes, as real clients write them."""

import pytest

from scim.errors import ScimError
from scim.patch import apply_operations
from tests.scim.conftest import patch_op

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def document(**changes) -> dict:
    return {
        "schemas": [CORE],
        "userName": "ada@northwind.example",
        "displayName": "Ada Lovelace",
        "name": {"formatted": "Ada Lovelace", "givenName": "Ada", "familyName": "Lovelace"},
        "title": "Analyst",
        "externalId": "ext-1",
        "active": True,
        **changes,
    }


def test_operations_apply_in_order_whatever_the_case_of_op_and_attribute_names():
    result = apply_operations(
        document(),
        patch_op(
            {"OP": "Replace", "PATH": "DISPLAYNAME", "Value": "Ada King"},
            {"op": "add", "path": "Title", "value": "Countess"},
            {"op": "REPLACE", "path": "title", "value": "Mathematician"},
        ),
    )

    assert (result["displayName"], result["title"]) == ("Ada King", "Mathematician")


def test_a_value_without_a_path_maps_attribute_paths_to_values():
    result = apply_operations(
        document(),
        patch_op(
            {
                "op": "replace",
                "value": {
                    "active": "False",
                    "name.givenName": "Augusta",
                    f"{CORE}:title": "Countess",
                    "name": {"familyName": "King"},
                    ENTERPRISE: {"department": "Mathematics"},
                    "emails": [{"value": "other@northwind.example", "primary": True}],
                },
            }
        ),
    )

    assert result["active"] == "False"  # read as a boolean by the same rules as a PUT body
    assert result["name"] == {
        "formatted": "Ada Lovelace",
        "givenName": "Augusta",
        "familyName": "King",
    }
    assert result["title"] == "Countess"
    assert result["userName"] == "ada@northwind.example"


def test_paths_with_the_core_urn_or_a_value_filter_reach_their_attribute():
    result = apply_operations(
        document(),
        patch_op(
            {"op": "replace", "path": f"{CORE}:name.familyName", "value": "Byron"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "x@y.example"},
            {"op": "add", "path": f"{ENTERPRISE}:manager.value", "value": "26118915-6090"},
            {"op": "add", "path": 'addresses[type eq "work"].locality', "value": "London"},
        ),
    )

    assert result["name"]["familyName"] == "Byron"
    assert result == {**document(), "name": {**document()["name"], "familyName": "Byron"}}


def test_remove_clears_an_attribute_a_name_part_or_the_whole_name():
    result = apply_operations(
        document(),
        patch_op(
            {"op": "remove", "path": "title"},
            {"op": "remove", "path": "externalId"},
            {"op": "remove", "path": "name.givenName"},
        ),
    )
    emptied = apply_operations(document(), patch_op({"op": "remove", "path": "name"}))

    assert (result["title"], result["externalId"], result["name"]["givenName"]) == ("", "", "")
    assert emptied["name"] == {"formatted": "", "givenName": "", "familyName": ""}


def test_the_document_given_is_left_as_it_was():
    original = document()

    apply_operations(original, patch_op({"op": "replace", "path": "name.givenName", "value": "A"}))

    assert original == document()


@pytest.mark.parametrize(
    "path",
    ['userName eq "x" or title', "title[value eq 1]", "a b", "x.y.z", "\u0000", "p" * 400],
)
def test_a_path_that_is_not_one_attribute_path_is_invalid(path):
    with pytest.raises(ScimError) as refused:
        apply_operations(document(), patch_op({"op": "replace", "path": path, "value": "v"}))

    assert (refused.value.status, refused.value.scim_type) == (400, "invalidPath")
