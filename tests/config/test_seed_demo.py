import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organisation, Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (Organisation.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (Organisation.objects.count(), User.objects.count()) == counts
    # Two clients of an admin and twelve members, the closed Cobalt Retail (an admin and two
    # members), the DPO and support.
    assert counts == (3, 2 * 13 + 3 + 2)
    cobalt = Organisation.objects.get(name="Cobalt Retail Ltd")
    assert cobalt.status == Organisation.Status.CLOSED
    assert cobalt.closed_at < timezone.now() - datetime.timedelta(weeks=4)
    assert set(cobalt.users.values_list("status", flat=True)) == {User.Status.TERMINATED}
    assert set(cobalt.users.values_list("terminated_at", flat=True)) == {cobalt.closed_at}
    assert User.objects.filter(role=Role.DPO).count() == 1
    assert User.objects.filter(role=Role.SUPPORT).count() == 1
    assert "dpo@privacydesk.test" in first
    assert "Password for every demo account" in first
