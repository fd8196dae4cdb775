"""Whether a user has a confirmed two-step device, of any kind, in one statement: what the login
remembers in the session to decide the second step."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import BackupCodeDevice
from security.selectors import user_has_confirmed_device
from tests.factories import PasskeyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "add_device",
    [
        lambda user: TOTPDevice.objects.create(user=user, name="App", confirmed=True),
        lambda user: BackupCodeDevice.objects.create(user=user, name="Codes", confirmed=True),
        lambda user: PasskeyFactory(user=user),
    ],
    ids=["authenticator", "backup codes", "passkey"],
)
def test_a_confirmed_device_of_any_kind_counts_in_one_statement(add_device):
    user = UserFactory()
    add_device(user)

    with CaptureQueriesContext(connection) as queries:
        assert user_has_confirmed_device(user)
    assert len(queries) == 1


def test_an_unconfirmed_device_or_someone_elses_does_not_count():
    user, other = UserFactory(), UserFactory()
    TOTPDevice.objects.create(user=user, name="App being set up", confirmed=False)
    TOTPDevice.objects.create(user=other, name="App", confirmed=True)
    PasskeyFactory(user=other)

    assert not user_has_confirmed_device(user)
    assert user_has_confirmed_device(other)
