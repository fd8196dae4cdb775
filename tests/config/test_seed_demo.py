import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organisation, Role, User
from tests.visible import internals_in, visible_text

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (Organisation.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (Organisation.objects.count(), User.objects.count()) == counts
    # Two clients of an admin and twelve members, the closed Cobalt Retail (an admin and two
    # members), Acme's group company (an admin), the DPO and support.
    assert counts == (4, 2 * 13 + 3 + 1 + 2)
    cobalt = Organisation.objects.get(name="Cobalt Retail Ltd")
    assert cobalt.status == Organisation.Status.CLOSED
    assert cobalt.closed_at < timezone.now() - datetime.timedelta(weeks=4)
    assert set(cobalt.users.values_list("status", flat=True)) == {User.Status.TERMINATED}
    assert set(cobalt.users.values_list("terminated_at", flat=True)) == {cobalt.closed_at}
    assert User.objects.filter(role=Role.DPO).count() == 1
    assert User.objects.filter(role=Role.SUPPORT).count() == 1
    assert "dpo@privacydesk.test" in first
    assert "Password for every demo account" in first


def test_the_demo_has_a_group_company_whose_admin_sees_acmes_report(verified_client, capsys):
    call_command("seed_demo")
    assert "admin@acmeholdings.example" in capsys.readouterr().out
    acme = Organisation.objects.get(slug="acme-analytics")
    nadia = User.objects.get(email="admin@acmeholdings.example")
    page = verified_client(nadia).get(f"/console/usage/?of={acme.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Usage report of Acme Analytics Ltd" in html
    assert internals_in(visible_text(html, prose_only=True)) == []
    # Acme's admin is offered Brightwater's report, as its business partner, and it reads well.
    admin = verified_client(User.objects.get(email="admin@acme.example"))
    own = admin.get("/console/usage/").content.decode()
    brightwater = Organisation.objects.get(slug="brightwater-logistics")
    assert f'href="/console/usage/?of={brightwater.pk}"' in own
    html = admin.get(f"/console/usage/?of={brightwater.pk}").content.decode()
    assert "Usage report of Brightwater Logistics plc" in html
    assert internals_in(visible_text(html, prose_only=True)) == []
