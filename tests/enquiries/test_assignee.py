"""An enquiry's assignee (issue 14): support takes an enquiry from the queue, gives it to a
colleague or back to the queue, audited; off-boarding a colleague returns theirs (test_staff)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEntry
from enquiries.models import Enquiry
from enquiries.services import enquiry_assign, enquiry_submit
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db


def an_enquiry() -> Enquiry:
    return enquiry_submit(
        name="Pat Public", email="pat@example.test", subject="Pricing", message="How much?"
    )


def detail(enquiry) -> str:
    return f"/backoffice/enquiries/{enquiry.pk}/"


def assign(enquiry) -> str:
    return f"/backoffice/enquiries/{enquiry.pk}/assign/"


def test_support_takes_an_enquiry_and_the_page_names_them(client, verified_client):
    agent = SupportFactory(full_name="Sam Support")
    verified_client(agent)
    enquiry = an_enquiry()
    assert "Nobody: in the queue" in client.get(detail(enquiry)).content.decode()

    response = client.post(assign(enquiry), {"assignee": agent.pk}, follow=True)

    assert "Assigned to Sam Support." in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.assignee == agent
    entry = AuditEntry.objects.get(action="enquiry.assign")
    assert (entry.actor_id, entry.details) == (agent.pk, {"from": None, "to": agent.pk})


def test_an_enquiry_goes_back_to_the_queue(client, verified_client):
    dpo = DpoFactory()
    verified_client(dpo)
    enquiry = enquiry_assign(enquiry=an_enquiry(), assignee=SupportFactory(), by=dpo)

    response = client.post(assign(enquiry), {"assignee": ""}, follow=True)

    assert "Back in the queue." in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.assignee is None


@pytest.mark.parametrize(
    "make_assignee",
    [UserFactory, ClientAdminFactory, lambda: SupportFactory(status="terminated")],
    ids=["member", "client admin", "former colleague"],
)
def test_only_a_current_colleague_can_be_given_an_enquiry(client, verified_client, make_assignee):
    verified_client(DpoFactory())
    enquiry = an_enquiry()

    response = client.post(assign(enquiry), {"assignee": make_assignee().pk}, follow=True)

    assert "Choose a DPO or support colleague, or nobody." in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.assignee is None
    assert not AuditEntry.objects.filter(action="enquiry.assign").exists()


def test_the_service_refuses_a_non_staff_assignee_and_a_non_staff_actor():
    enquiry = an_enquiry()
    with pytest.raises(ValidationError):
        enquiry_assign(enquiry=enquiry, assignee=UserFactory(), by=DpoFactory())
    with pytest.raises(PermissionDenied):
        enquiry_assign(enquiry=enquiry, assignee=None, by=ClientAdminFactory())


def test_assigning_to_the_same_colleague_twice_records_it_once():
    dpo = DpoFactory()
    enquiry = an_enquiry()
    enquiry_assign(enquiry=enquiry, assignee=dpo, by=dpo)
    enquiry_assign(enquiry=enquiry, assignee=dpo, by=dpo)
    assert AuditEntry.objects.filter(action="enquiry.assign").count() == 1


@pytest.mark.parametrize("make_user", [UserFactory, ClientAdminFactory])
def test_members_and_client_admins_cannot_assign(client, verified_client, make_user):
    verified_client(make_user())
    enquiry = an_enquiry()
    assert client.post(assign(enquiry), {"assignee": ""}).status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("requires_postgres")
def test_adding_the_assignee_keeps_every_enquiry():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("enquiries", "0001_initial")])
        old = executor.loader.project_state([("enquiries", "0001_initial")]).apps
        now = timezone.now()
        kept = old.get_model("enquiries", "Enquiry").objects.create(
            created_at=now,
            last_activity_at=now,
            name="Old",
            email="old@example.test",
            subject="Before",
            message="Kept?",
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    enquiry = Enquiry.objects.get(pk=kept.pk)
    assert (enquiry.subject, enquiry.assignee) == ("Before", None)
