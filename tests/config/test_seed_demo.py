import pytest
from django.core.management import call_command

from accounts.models import Organisation, Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (Organisation.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (Organisation.objects.count(), User.objects.count()) == counts
    assert counts == (2, 2 * 13 + 2)
    assert User.objects.filter(role=Role.DPO).count() == 1
    assert User.objects.filter(role=Role.SUPPORT).count() == 1
    assert "dpo@privacydesk.test" in first
    assert "Password for every demo account" in first
