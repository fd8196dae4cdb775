"""The pseudonymised dataset: no original e-mail, name or IP address in it; the same person
gets the same token everywhere; it loads into an empty database; the key never appears."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from datamap.dataset import Pseudonymiser, load_dataset, write_dataset
from dsar.models import RightsRequest
from tests.factories import InvestigationFactory, UserFactory
from usage.models import UsageEvent

KEY = "a-test-key-of-some-length-0123456789"

PEOPLE = [
    ("amelia.hartley@northwind.test", "Amelia Hartley", "81.2.69.142"),
    ("rajesh.kumar@northwind.test", "Rajesh Kumar", "2a00:23c4:1234::17"),
    ("siobhan.oneill@contoso.test", "Siobhan O'Neill", "86.14.200.9"),
]


def seed():
    users = []
    for email, name, ip in PEOPLE:
        user = UserFactory(email=email, full_name=name, job_title="Payroll lead")
        users.append(user)
        UsageEvent.objects.create(
            occurred_at=timezone.now(),
            organisation=user.organisation,
            user=user,
            ip_address=ip,
            action="view",
            feature="reports",
        )
        InvestigationFactory(
            user=user,
            ip_address=ip,
            summary=f"Logins for {email} failed",
            evidence=[{"ip": ip, "event": "locked_out", "who": name}],
        )
    RightsRequest.objects.create(
        reference="RR-TEST-1",
        kind="access",
        channel="web",
        requester_name=PEOPLE[0][1],
        requester_email=PEOPLE[0][0],
        description=f"Please send me everything, {PEOPLE[0][1]}",
        due_on=timezone.now().date(),
    )
    return users


def export(monkeypatch) -> str:
    monkeypatch.setenv("TEST_DATASET_KEY", KEY)
    out = io.StringIO()
    write_dataset(out, key=KEY.encode(), progress=False)
    return out.getvalue()


@pytest.mark.django_db
def test_the_export_contains_no_original_email_name_or_ip_address(monkeypatch):
    seed()
    text = export(monkeypatch)
    needles = [value for person in PEOPLE for value in person]
    needles += [u.full_name for u in User.objects.all()]  # the factories' names too
    found = [needle for needle in needles if needle.lower() in text.lower()]
    assert found == []
    assert KEY not in text


@pytest.mark.django_db
def test_the_same_person_gets_the_same_token_everywhere(monkeypatch):
    users = seed()
    rows = [json.loads(line) for line in export(monkeypatch).splitlines()[1:]]
    token = Pseudonymiser(KEY.encode()).email(PEOPLE[0][0])
    user_row = next(r for r in rows if r["model"] == "accounts.user" and r["pk"] == users[0].pk)
    request_row = next(r for r in rows if r["model"] == "dsar.rightsrequest")
    assert user_row["fields"]["email"] == token
    assert request_row["fields"]["requester_email"] == token
    assert user_row["fields"]["password"] == "!"
    event = next(
        r for r in rows if r["model"] == "usage.usageevent" and r["fields"]["user"] == users[0].pk
    )
    ip = event["fields"]["ip_address"]
    assert ip.startswith(("192.0.2.", "198.51.100.", "203.0.113."))


def test_the_command_refuses_to_run_without_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv("TEST_DATASET_KEY", raising=False)
    with pytest.raises(CommandError, match="TEST_DATASET_KEY"):
        call_command("export_test_dataset", "--out", str(tmp_path / "x.jsonl"))


@pytest.mark.django_db
def test_loading_into_a_database_with_users_is_refused(monkeypatch):
    seed()
    lines = iter(export(monkeypatch).splitlines())
    with pytest.raises(CommandError, match="empty"):
        load_dataset(lines, progress=False)


@pytest.mark.django_db(transaction=True)
def test_the_dataset_round_trips_into_an_empty_database(monkeypatch, tmp_path, capsys):
    seed()
    monkeypatch.setenv("TEST_DATASET_KEY", KEY)
    path = tmp_path / "dataset.jsonl"
    call_command("export_test_dataset", "--out", str(path))
    assert "Exporting [" in capsys.readouterr().err  # the progress bar, on stderr
    counts = {"users": User.objects.count(), "events": UsageEvent.objects.count()}

    call_command("flush", interactive=False, verbosity=0)
    call_command("load_test_dataset", str(path))

    assert User.objects.count() == counts["users"]
    assert UsageEvent.objects.count() == counts["events"]
    assert not User.objects.filter(email__in=[p[0] for p in PEOPLE]).exists()
    assert all(e.endswith("@example.invalid") for e in User.objects.values_list("email", flat=True))
    UserFactory()  # sequences were reset: new rows do not collide with loaded ones
