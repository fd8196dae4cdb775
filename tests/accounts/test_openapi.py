"""The OpenAPI schema stays valid, and documents the users API and the Api-Key scheme."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    path = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    schema = yaml.safe_load(path.read_text())
    assert {
        "/api/v1/users/",
        "/api/v1/users/{id}/",
        "/api/v1/users/{id}/suspend/",
        "/api/v1/users/{id}/reactivate/",
        "/api/v1/users/{id}/terminate/",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/users/{id}/"]) == {"get", "patch"}  # no PUT, no DELETE
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Api-Key <key>`: a key made in the client admin console.",
    }
    invite = schema["paths"]["/api/v1/users/"]["post"]
    assert {"201", "400", "409"} <= set(invite["responses"])
    rectify = schema["paths"]["/api/v1/users/{id}/"]["patch"]
    assert {"200", "202"} <= set(rectify["responses"])  # 202: a new address awaits confirmation
    assert "pending_email" in schema["components"]["schemas"]["User"]["properties"]
