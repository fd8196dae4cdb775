"""The passkey ceremonies' JSON endpoints (django-otp-webauthn's views as security runs them):
what they refuse, and that bad input is a JSON answer, never a server error. Real ceremonies,
with signatures, are in tests/browser/test_passkeys_browser.py."""

import json

import pytest
from django.conf import settings
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AuditEntry
from tests.factories import PasskeyFactory, UserFactory

pytestmark = pytest.mark.django_db

CEREMONIES = "/accounts/mfa/passkeys/"


def test_a_second_passkey_needs_the_second_step_first(client):
    """Someone with a password alone must not add a passkey to an account that has one."""
    passkey = PasskeyFactory()
    client.force_login(passkey.user)  # password only: not verified

    response = client.post(CEREMONIES + "registration/begin/")

    assert response.status_code == 403
    assert response.json()["code"] == "user_not_verified"


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"id": "x"}', json.dumps({"id": "AA", "rawId": "AA"}).encode()],
)
def test_a_sign_in_with_no_ceremony_begun_or_bad_input_is_a_json_refusal(client, body):
    response = client.post(
        CEREMONIES + "authentication/complete/", body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize("body", [b"not json", b"[]", b"{}", b'{"id": 1, "response": null}'])
def test_a_begun_sign_in_with_a_malformed_answer_is_a_json_refusal(client, body):
    begun = client.post(CEREMONIES + "authentication/begin/")
    assert begun.status_code == 200
    assert begun.json()["userVerification"] == "required"

    response = client.post(
        CEREMONIES + "authentication/complete/", body, content_type="application/json"
    )

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"


def test_an_unknown_passkey_is_refused_in_the_words_of_a_wrong_password(client):
    client.post(CEREMONIES + "authentication/begin/")
    answer = {
        "id": "dW5rbm93bg",
        "rawId": "dW5rbm93bg",
        "type": "public-key",
        "response": {
            "clientDataJSON": "e30",
            "authenticatorData": "AAAA",
            "signature": "AAAA",
            "userHandle": "AAAA",
        },
    }

    response = client.post(
        CEREMONIES + "authentication/complete/", answer, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "That passkey does not match an active account.",
        "code": "passkey_refused",
    }


def test_registration_needs_a_login(client):
    response = client.post(CEREMONIES + "registration/begin/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("body", [b"not json", b"[]", b"{}", b'{"id": "AA", "response": {}}'])
def test_a_begun_registration_with_a_malformed_answer_adds_nothing(client, body):
    member = UserFactory()
    client.force_login(member)  # no device yet: a first passkey needs no second step
    begun = client.post(CEREMONIES + "registration/begin/")
    assert begun.status_code == 200
    options = begun.json()
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["rp"] == {"name": "PrivacyDesk", "id": settings.PASSKEY_RP_ID}

    response = client.post(
        CEREMONIES + "registration/complete/", body, content_type="application/json"
    )

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"
    assert not WebAuthnCredential.objects.filter(user=member).exists()
    assert not AuditEntry.objects.filter(action="passkey.enrol").exists()


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"id": "AA", "rawId": "AA"}'])
def test_a_second_step_with_a_malformed_answer_leaves_the_session_unverified(client, body):
    passkey = PasskeyFactory()
    client.force_login(passkey.user)
    begun = client.post(CEREMONIES + "authentication/begin/")
    assert [c["id"] for c in begun.json()["allowCredentials"]]  # the user's own passkeys

    response = client.post(
        CEREMONIES + "authentication/complete/", body, content_type="application/json"
    )

    assert 400 <= response.status_code < 500
    assert client.get("/account/")["Location"].startswith("/accounts/mfa/verify/")
