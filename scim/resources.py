"""A user as a SCIM User resource, and what a client sends read back into our terms.

Attribute names are matched without regard to case (RFC 7643 section 2.1). Attributes this
service does not keep (phone numbers, addresses, the enterprise extension, a password) are
ignored, as read-only ones are; what it keeps is checked and refused with ``invalidValue``.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import User, UserManager
from common.middleware import text_is_clean
from scim.errors import ScimError
from scim.models import ScimIdentity
from scim.schemas import USER_SCHEMA

# Column sizes: accounts.User and scim.ScimIdentity.
LIMITS = {
    "userName": 254,
    "displayName": 150,
    "name.formatted": 150,
    "name.givenName": 150,
    "name.familyName": 150,
    "title": 150,
    "externalId": 255,
}
ACTIVE_STATUSES = (User.Status.INVITED, User.Status.ACTIVE)


@dataclass(frozen=True)
class UserInput:
    """A User resource as sent, checked. Text attributes absent or null are ""; ``active``
    absent is None."""

    user_name: str
    display_name: str
    formatted: str
    given_name: str
    family_name: str
    title: str
    external_id: str
    active: bool | None

    @property
    def composed_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def full_name(self, fallback: str) -> str:
        """The name shown in PrivacyDesk: displayName, else name.formatted, else the given and
        family names, else ``fallback``."""
        return self.display_name or self.formatted or self.composed_name or fallback


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def lowered(mapping: dict) -> dict:
    """``mapping`` with its keys in lower case; attributes of the core User schema written
    with their URN ("urn:...:core:2.0:User:userName") taken as the bare name."""
    prefix = USER_SCHEMA.lower() + ":"
    keys = {}
    for key, value in mapping.items():
        if isinstance(key, str):
            key = key.lower()
            keys[key.removeprefix(prefix)] = value
    return keys


def require_schema(fields: dict, urn: str) -> None:
    """A body's ``schemas``, when it has one, must list ``urn`` (compared without case)."""
    schemas = fields.get("schemas")
    if schemas is not None and (
        not isinstance(schemas, list)
        or urn.lower() not in {s.lower() for s in schemas if isinstance(s, str)}
    ):
        raise ScimError(400, f"schemas must list {urn}.", "invalidSyntax")


def _text(value, attribute: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid_value(f"{attribute} must be a string.")
    value = value.strip()
    if not text_is_clean(value):
        raise invalid_value(f"{attribute} holds control characters.")
    if len(value) > LIMITS[attribute]:
        raise invalid_value(f"{attribute} is longer than {LIMITS[attribute]} characters.")
    return value


def boolean(value, attribute: str) -> bool | None:
    # Entra ID sends "True" and "False" as strings (documented by Microsoft).
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid_value(f"{attribute} must be true or false.")


def read_user_input(body) -> UserInput:
    if not isinstance(body, dict):
        raise ScimError(400, "The body must be a JSON object: a User resource.", "invalidSyntax")
    attributes = lowered(body)
    require_schema(attributes, USER_SCHEMA)
    name = attributes.get("name") or {}
    if not isinstance(name, dict):
        raise invalid_value("name must be an object.")
    name = lowered(name)
    user_name = UserManager.normalize_email(_text(attributes.get("username"), "userName"))
    if not user_name:
        raise invalid_value("userName is required: the person's e-mail address.")
    try:
        validate_email(user_name)
    except ValidationError:
        raise invalid_value("userName must be the person's e-mail address.") from None
    return UserInput(
        user_name=user_name,
        display_name=_text(attributes.get("displayname"), "displayName"),
        formatted=_text(name.get("formatted"), "name.formatted"),
        given_name=_text(name.get("givenname"), "name.givenName"),
        family_name=_text(name.get("familyname"), "name.familyName"),
        title=_text(attributes.get("title"), "title"),
        external_id=_text(attributes.get("externalid"), "externalId"),
        active=boolean(attributes.get("active"), "active"),
    )


def patched_full_name(before: dict, after: UserInput, current: str) -> str:
    """The name a PATCH leaves: the displayName or name.formatted it set, else the given and
    family names it set when the name was made of them; otherwise the name stands."""
    if after.display_name and after.display_name != before["displayName"]:
        return after.display_name
    if after.formatted and after.formatted != before["name"]["formatted"]:
        return after.formatted
    parts = (before["name"]["givenName"], before["name"]["familyName"])
    composed_before = " ".join(part for part in parts if part)
    parts_changed = (after.given_name, after.family_name) != parts
    if parts_changed and after.composed_name and composed_before and current == composed_before:
        return after.composed_name
    return current


# --- Our user as a resource ------------------------------------------------------------


def identity_of(user: User) -> ScimIdentity | None:
    try:
        return user.scim_identity
    except ScimIdentity.DoesNotExist:
        return None


def user_document(user: User) -> dict:
    """The attributes a client may write, as they stand: what a PATCH applies to."""
    identity = identity_of(user)
    return {
        "schemas": [USER_SCHEMA],
        "userName": user.email,
        "displayName": user.full_name,
        "name": {
            "formatted": user.full_name,
            "givenName": identity.given_name if identity else "",
            "familyName": identity.family_name if identity else "",
        },
        "title": user.job_title,
        "externalId": identity.external_id if identity else "",
        "active": user.status in ACTIVE_STATUSES,
    }


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def last_modified(user: User) -> datetime:
    identity = identity_of(user)
    moments = [user.date_joined, user.suspended_at, user.terminated_at]
    moments.append(identity.updated_at if identity else None)
    return max(moment for moment in moments if moment is not None)


def etag(resource: dict) -> str:
    """A weak ETag of the resource's content (its meta left out)."""
    content = {key: value for key, value in resource.items() if key != "meta"}
    digest = hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f'W/"{digest[:32]}"'


def user_resource(user: User, location: str) -> dict:
    document = user_document(user)
    name = {key: value for key, value in document["name"].items() if value}
    resource = {
        "schemas": [USER_SCHEMA],
        "id": str(user.pk),
        **({"externalId": document["externalId"]} if document["externalId"] else {}),
        "userName": user.email,
        "name": name,
        "displayName": user.full_name,
        **({"title": user.job_title} if user.job_title else {}),
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "active": document["active"],
    }
    resource["meta"] = {
        "resourceType": "User",
        "created": _timestamp(user.date_joined),
        "lastModified": _timestamp(last_modified(user)),
        "location": location,
        "version": etag(resource),
    }
    return resource


# --- attributes and excludedAttributes (RFC 7644 section 3.4.2.5) -------------------------

ALWAYS_RETURNED = {"schemas", "id"}


def _attribute_names(text: str | None) -> list[tuple[str, str | None]]:
    names = []
    for item in (text or "").split(","):
        item = item.strip().lower().removeprefix(USER_SCHEMA.lower() + ":")
        if item:
            attribute, _, sub = item.partition(".")
            names.append((attribute, sub or None))
    return names


def project(resource: dict, *, attributes: str | None, excluded: str | None) -> dict:
    """The resource with only the ``attributes`` asked for, or without the ``excluded`` ones;
    ``id`` and ``schemas`` are always returned."""
    wanted = _attribute_names(attributes)
    unwanted = _attribute_names(excluded)
    if not wanted and not unwanted:
        return resource
    result = {}
    for key, value in resource.items():
        lower = key.lower()
        if lower in ALWAYS_RETURNED:
            result[key] = value
            continue
        if wanted:
            subs = [sub for attribute, sub in wanted if attribute == lower]
            if not subs:
                continue
            if None in subs or not isinstance(value, dict):
                result[key] = value
            else:
                result[key] = {k: v for k, v in value.items() if k.lower() in subs}
        else:
            subs = [sub for attribute, sub in unwanted if attribute == lower]
            if None in subs:
                continue
            if subs and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k.lower() not in subs}
            result[key] = value
    return result
