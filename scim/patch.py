"""PATCH operations (RFC 7644 section 3.5.2) applied to a user's writable attributes.

Each operation's ``path`` is parsed by scim2-filter-parser (as django-scim2 does it: the path
followed by ``eq ""`` is a filter whose attribute path is the target). The operations apply in
order to the document ``resources.user_document`` gives; the result is then read like a PUT
body, so that a PATCH and a PUT check the same rules.

The quirks of real clients are accepted: Entra ID's capitalised "Replace" and "Add", its
``emails[type eq "work"].value`` paths and its "True"/"False" strings; an operation without a
path whose value maps attribute paths ("name.givenName") to values; Okta's
``{"op": "replace", "value": {"active": false}}``.
"""

import copy
from dataclasses import dataclass

from scim2_filter_parser import ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError

from common.middleware import text_is_clean
from scim.errors import ScimError
from scim.resources import lowered, require_schema
from scim.schemas import PATCH_OP, USER_SCHEMA

OPERATIONS = ("add", "replace", "remove")
MAX_OPERATIONS = 100
MAX_PATH_LENGTH = 300
# The writable attributes by their lower-case names; "name" is the one complex one.
SIMPLE = {
    "username": "userName",
    "displayname": "displayName",
    "title": "title",
    "externalid": "externalId",
    "active": "active",
}
NAME_PARTS = {"givenname": "givenName", "familyname": "familyName", "formatted": "formatted"}
READ_ONLY = {"id", "meta"}
REQUIRED = {"userName", "active"}


@dataclass(frozen=True)
class Target:
    """Where an operation applies: ``attribute`` None means an attribute this service does not
    keep, or one it only shows (emails, groups), which the operation leaves alone."""

    attribute: str | None
    sub_attribute: str | None = None
    filtered: bool = False
    path: str = ""


def _invalid_path(path: str, why: str = "") -> ScimError:
    return ScimError(400, f"The path {path!r} is not valid{why}.", "invalidPath")


def parse_path(path) -> Target:
    if not isinstance(path, str) or not path.strip():
        raise _invalid_path(str(path))
    if len(path) > MAX_PATH_LENGTH or not text_is_clean(path):
        raise _invalid_path(path[:60], ": too long, or holding control characters")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(f'{path} eq ""'))
    except (SCIMParserError, ValueError, AttributeError, IndexError, TypeError):
        raise _invalid_path(path) from None
    expression = tree.expr if isinstance(tree, ast.Filter) else None
    # The whole path must be one attribute path: "a eq "x" or b" parses as a filter too.
    if (
        tree.negated
        or tree.namespace is not None
        or not isinstance(expression, ast.AttrExpr)
        or expression.value.lower() != "eq"
        or getattr(expression.comp_value, "value", None) != ""
    ):
        raise _invalid_path(path)
    attr_path = expression.attr_path
    filtered = isinstance(attr_path.attr_name, ast.Filter)
    if filtered:
        attr_path = attr_path.attr_name.namespace
        if not isinstance(attr_path, ast.AttrPath):
            raise _invalid_path(path)
    if attr_path.uri and attr_path.uri.lower() != USER_SCHEMA.lower():
        return Target(None, path=path)  # an extension's attribute: not kept here
    name = attr_path.attr_name.lower()
    sub = attr_path.sub_attr.value.lower() if attr_path.sub_attr else None
    if name in READ_ONLY:
        raise ScimError(400, f"{attr_path.attr_name} cannot be changed.", "mutability")
    if name == "name":
        if filtered:
            raise _invalid_path(path, ": name has one value, not a list to filter")
        if sub is not None and sub not in NAME_PARTS:
            return Target(None, path=path)
        return Target("name", NAME_PARTS.get(sub), path=path)
    if name in SIMPLE:
        if sub is not None or filtered:
            raise _invalid_path(path, f": {SIMPLE[name]} has no sub-attributes")
        return Target(SIMPLE[name], path=path)
    return Target(None, path=path)


def _set(document: dict, target: Target, operation: str, value) -> None:
    if target.attribute is None:
        return
    if target.attribute != "name":
        if operation == "remove":
            if target.attribute in REQUIRED:
                raise ScimError(400, f"{target.attribute} cannot be removed.", "mutability")
            value = ""
        document[target.attribute] = value
        return
    name = document["name"]
    if target.sub_attribute is not None:
        name[target.sub_attribute] = "" if operation == "remove" else value
    elif operation == "remove":
        document["name"] = dict.fromkeys(name, "")
    elif isinstance(value, dict):
        for key, part in lowered(value).items():
            if key in NAME_PARTS:
                name[NAME_PARTS[key]] = part
    else:
        raise ScimError(400, "name takes an object of its parts.", "invalidValue")


def _operation(item) -> tuple[str, object, object]:
    if not isinstance(item, dict):
        raise ScimError(400, "Each operation must be an object.", "invalidSyntax")
    fields = lowered(item)
    operation = fields.get("op")
    if not isinstance(operation, str) or operation.lower() not in OPERATIONS:
        raise ScimError(400, "Each operation's op is add, replace or remove.", "invalidSyntax")
    return operation.lower(), fields.get("path"), fields.get("value")


def apply_operations(document: dict, body) -> dict:
    """The document after the PATCH request ``body``'s operations, in order. All or nothing:
    the caller saves only a document every operation applied to."""
    if not isinstance(body, dict):
        raise ScimError(400, "The body must be a JSON object: a PatchOp.", "invalidSyntax")
    fields = lowered(body)
    require_schema(fields, PATCH_OP)
    operations = fields.get("operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations must list at least one operation.", "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(400, f"At most {MAX_OPERATIONS} operations at once.", "invalidValue")
    document = copy.deepcopy(document)
    for item in operations:
        operation, path, value = _operation(item)
        if path is None or path == "":
            if operation == "remove":
                raise ScimError(400, "A remove operation needs a path.", "noTarget")
            if not isinstance(value, dict):
                raise ScimError(
                    400, "An operation without a path takes an object of values.", "invalidValue"
                )
            for key, part in value.items():
                _set(document, parse_path(key), operation, part)
        else:
            if operation != "remove" and "value" not in lowered(item):
                raise ScimError(400, f"The {operation} operation needs a value.", "invalidValue")
            _set(document, parse_path(path), operation, value)
    return document
