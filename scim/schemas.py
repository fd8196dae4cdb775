"""The discovery documents (RFC 7643 sections 5-7, RFC 7644 section 4): what this service
provider supports, its one resource type (User: Groups are not offered, see the README) and
the User schema with exactly the attributes it keeps."""

from django.conf import settings

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def _attribute(name: str, description: str, **overrides) -> dict:
    return {
        "name": name,
        "type": "string",
        "multiValued": False,
        "description": description,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **overrides,
    }


USER_ATTRIBUTES = [
    _attribute(
        "userName",
        "The person's e-mail address: it is how they log in. Unique across the service. A new "
        "address takes effect once its owner follows the confirmation link sent to it.",
        required=True,
        uniqueness="server",
    ),
    _attribute(
        "name",
        "The parts of the person's name.",
        type="complex",
        subAttributes=[
            _attribute("formatted", "The full name, as shown (the same as displayName)."),
            _attribute("familyName", "The family name."),
            _attribute("givenName", "The given name."),
        ],
    ),
    _attribute(
        "displayName",
        "The full name, as shown everywhere in PrivacyDesk. Without it, name.formatted, else "
        "givenName and familyName, give the full name.",
    ),
    _attribute("title", "The job title."),
    _attribute(
        "emails",
        "The person's one work address: userName. Values sent here are ignored.",
        type="complex",
        multiValued=True,
        mutability="readOnly",
        subAttributes=[
            _attribute("value", "The address.", mutability="readOnly"),
            _attribute(
                "type",
                "Always work.",
                mutability="readOnly",
                canonicalValues=["work"],
            ),
            _attribute("primary", "Always true.", type="boolean", mutability="readOnly"),
        ],
    ),
    _attribute(
        "active",
        "False suspends the account (it cannot log in and its sessions end); true reactivates "
        "it. A new account is active and receives an invitation to set its password.",
        type="boolean",
    ),
]


def _meta(request, resource_type: str, path: str) -> dict:
    return {"resourceType": resource_type, "location": request.build_absolute_uri(path)}


def user_schema(request, base: str) -> dict:
    return {
        "schemas": [SCHEMA_SCHEMA],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A user of the organisation in PrivacyDesk.",
        "attributes": USER_ATTRIBUTES,
        "meta": _meta(request, "Schema", f"{base}Schemas/{USER_SCHEMA}"),
    }


def user_resource_type(request, base: str) -> dict:
    return {
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "The organisation's users.",
        "schema": USER_SCHEMA,
        "schemaExtensions": [],
        "meta": _meta(request, "ResourceType", f"{base}ResourceTypes/User"),
    }


def service_provider_config(request, base: str) -> dict:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "documentationUri": f"{settings.SITE_URL.rstrip('/')}/console/provisioning/",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": settings.SCIM_MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token a client admin creates on the console's Provisioning "
                "(SCIM) page, sent as Authorization: Bearer <token>.",
                "primary": True,
            }
        ],
        "meta": _meta(request, "ServiceProviderConfig", f"{base}ServiceProviderConfig"),
    }


def list_response(resources: list[dict], *, total: int, start_index: int = 1) -> dict:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "itemsPerPage": len(resources),
        "startIndex": start_index,
        "Resources": resources,
    }
