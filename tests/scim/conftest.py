import contextlib
import json

import pytest
from django.test import Client

from scim.models import ScimToken
from tests.factories import OrganisationFactory

SCIM = "/scim/v2"
SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


def token_for(organisation=None, *, name="Entra ID", **fields):
    """A SCIM token of ``organisation`` (a new one if None): returns (token, plain token)."""
    return ScimToken.objects.create_key(
        organisation=organisation or OrganisationFactory(), name=name, **fields
    )


class ScimClient:
    """What an identity provider sends: a bearer token, JSON as application/scim+json."""

    def __init__(self, plain: str | None, commits=None, client: Client | None = None):
        self.client = client or Client(raise_request_exception=False)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"} if plain else {}
        # Each request's on-commit work (notices, invitations) runs as its commit would.
        self.commits = commits

    def _call(self, method, *args, **kwargs):
        context = self.commits(execute=True) if self.commits else contextlib.nullcontext()
        with context:
            return getattr(self.client, method)(*args, **kwargs)

    def get(self, path, params=None, **headers):
        return self._call("get", SCIM + path, params or {}, **self.headers, **headers)

    def _send(self, method, path, body, headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self._call(
            method, SCIM + path, data, content_type=SCIM_JSON, **self.headers, **headers
        )

    def post(self, path, body, **headers):
        return self._send("post", path, body, headers)

    def put(self, path, body, **headers):
        return self._send("put", path, body, headers)

    def patch(self, path, body, **headers):
        return self._send("patch", path, body, headers)

    def delete(self, path, **headers):
        return self._call("delete", SCIM + path, **self.headers, **headers)


def assert_scim_error(response, status: int, scim_type: str | None = None) -> dict:
    """The answer is a SCIM error body (RFC 7644 section 3.12) with this status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM_JSON
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body["detail"]
    assert body.get("scimType") == scim_type
    return body


def patch_op(*operations) -> dict:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Northwind Ltd", slug="northwind")


@pytest.fixture
def plain_token(organisation):
    _, plain = token_for(organisation)
    return plain


@pytest.fixture
def scim_client(django_capture_on_commit_callbacks):
    """``scim_client(plain_token)``: an identity provider calling with that token."""
    return lambda plain: ScimClient(plain, django_capture_on_commit_callbacks)


@pytest.fixture
def scim(plain_token, scim_client):
    return scim_client(plain_token)
