"""Re-authentication on destructive back-office actions (issue 8): erasure approval, legal-hold
release, a retention change and the people page's destructive steps ask for the password (or a
fresh authenticator code) again, all through accounts.reauth.

The erasure, hold-release and people steps have their own end-to-end tests (tests/dsar/
test_erasure.py, tests/retention/test_backoffice.py, tests/accounts/test_backoffice_people.py);
here: the shared rule, and the retention change, which had none.
"""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from accounts.reauth import ReauthenticationForm, credential_matches
from accounts.views.people import ConfirmStepForm
from audit.models import AuditEntry
from dsar.forms.executors import ErasureApproveForm
from retention.forms import PolicyForm, ReleaseHoldForm
from retention.models import RetentionPolicy
from tests.conftest import otp_device_for
from tests.factories import TEST_PASSWORD, DpoFactory

pytestmark = pytest.mark.django_db


def code_for(device) -> str:
    return (
        f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():0{device.digits}d}"
    )


def test_every_destructive_form_asks_through_the_shared_helper():
    for form in (ErasureApproveForm, ReleaseHoldForm, ConfirmStepForm):
        assert issubclass(form, ReauthenticationForm), form
    assert "password" in PolicyForm.base_fields


def test_the_password_or_a_fresh_code_reauthenticates_and_a_code_works_once():
    dpo = DpoFactory()
    device = otp_device_for(dpo)
    assert credential_matches(dpo, TEST_PASSWORD)
    assert not credential_matches(dpo, "not my password")
    assert not credential_matches(dpo, "")

    code = code_for(device)
    assert credential_matches(dpo, code)
    assert not credential_matches(dpo, code)  # replayed


def test_the_form_puts_the_password_last_and_refuses_a_wrong_one():
    dpo = DpoFactory()
    form = ErasureApproveForm({"password": "wrong"}, user=dpo)
    assert list(form.fields)[-1] == "password"
    assert not form.is_valid()
    assert form.errors["password"] == ["That is not your password."]
    assert ErasureApproveForm({"password": TEST_PASSWORD}, user=dpo).is_valid()


@pytest.fixture
def dpo_client(verified_client):
    dpo = DpoFactory()
    return verified_client(dpo), dpo


POLICY = {"basis": "event", "days": "30", "action": "delete", "rationale": "Shorter"}


def policy_url() -> str:
    return reverse("retention:policy_edit", args=["usage_events"])


@pytest.mark.parametrize("password", ["", "not my password"])
def test_a_retention_change_is_not_saved_without_the_password(dpo_client, password):
    client, _ = dpo_client

    response = client.post(policy_url(), {**POLICY, "save": "1", "password": password})

    assert response.status_code == 400
    assert RetentionPolicy.objects.get(category="usage_events").days == 395
    assert not AuditEntry.objects.filter(action="retention.policy_update").exists()
    # The preview is shown again, with the Save button.
    assert response.context["effect"] is not None
    assert 'name="save"' in response.content.decode()


def test_previewing_a_retention_change_needs_no_password(dpo_client):
    client, _ = dpo_client
    response = client.post(policy_url(), {**POLICY, "preview": "1"})
    assert response.status_code == 200
    assert 'type="password"' in response.content.decode()


def test_a_retention_change_is_saved_with_a_fresh_authenticator_code(dpo_client):
    client, dpo = dpo_client
    code = code_for(otp_device_for(dpo))

    response = client.post(policy_url(), {**POLICY, "save": "1", "password": code})

    assert response.status_code == 302
    assert RetentionPolicy.objects.get(category="usage_events").days == 30
    assert AuditEntry.objects.get(action="retention.policy_update").actor == dpo
