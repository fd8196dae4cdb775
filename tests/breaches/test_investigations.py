import pytest

from audit.models import AuditEntry
from breaches.models import Breach
from security.services.investigations import investigation_record_outcome
from tests.factories import DpoFactory, InvestigationFactory, SupportFactory

pytestmark = pytest.mark.django_db


def test_the_dpo_opens_a_breach_from_an_investigation_and_it_links_back(dpo_client):
    investigation = InvestigationFactory(summary="Credentials found in a paste")
    page = dpo_client.get(f"/backoffice/investigations/{investigation.pk}/").content.decode()
    new_url = f"/backoffice/breaches/new/?investigation={investigation.pk}"
    assert new_url in page

    form = dpo_client.get(new_url).content.decode()
    assert "Credentials found in a paste" in form
    response = dpo_client.post(
        new_url,
        {
            "title": "Credentials leaked",
            "aware_at": "2026-01-05T10:00",
            "description": "A paste site holds user credentials.",
        },
    )
    assert response.status_code == 302
    breach = Breach.objects.get()
    assert breach.investigation == investigation
    detail = dpo_client.get(response["Location"]).content.decode()
    assert f'href="/backoffice/investigations/{investigation.pk}/"' in detail

    page = dpo_client.get(f"/backoffice/investigations/{investigation.pk}/").content.decode()
    assert f'href="/backoffice/breaches/{breach.pk}/"' in page
    assert new_url not in page


def test_support_sees_no_breach_button_on_an_investigation(verified_client):
    investigation = InvestigationFactory()
    client = verified_client(SupportFactory())
    page = client.get(f"/backoffice/investigations/{investigation.pk}/").content.decode()
    assert "/backoffice/breaches/" not in page


def test_escalating_an_investigation_opens_a_linked_breach_and_tells_the_dpo(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DPO_EMAIL = "dpo-team@privacydesk.test"
    investigation = InvestigationFactory(summary="Credentials found in a paste")
    dpo = DpoFactory()
    with django_capture_on_commit_callbacks(execute=True):
        investigation_record_outcome(
            investigation=investigation,
            outcome="escalated_breach",
            reason="The paste has 40 of our users.",
            by=dpo,
        )
    breach = Breach.objects.get()
    assert breach.investigation == investigation
    assert breach.opened_by == dpo
    assert breach.clock_running
    assert "The paste has 40 of our users." in breach.description
    entry = AuditEntry.objects.get(action="breach.open")
    assert entry.details == {"source": "escalation", "investigation": investigation.pk}
    assert [m.to for m in mailoutbox if breach.reference in m.subject] == [
        ["dpo-team@privacydesk.test"]
    ]


def test_escalating_an_investigation_links_the_breach_already_opened_from_it(dpo, open_breach):
    investigation = InvestigationFactory()
    breach = open_breach(investigation=investigation)
    investigation_record_outcome(
        investigation=investigation, outcome="escalated_breach", reason="Confirmed.", by=dpo
    )
    assert list(Breach.objects.all()) == [breach]
    assert AuditEntry.objects.filter(action="breach.link", target_id=str(breach.pk)).exists()


def test_support_is_neither_offered_nor_allowed_the_escalation_to_a_breach(verified_client):
    investigation = InvestigationFactory()
    client = verified_client(SupportFactory())

    page = client.get(f"/backoffice/investigations/{investigation.pk}/").content.decode()
    assert "Escalate it to a personal data breach" not in page

    response = client.post(
        f"/backoffice/investigations/{investigation.pk}/outcome/",
        {"outcome": "escalated_breach", "reason": "Looks like a breach."},
    )
    assert response.status_code == 403
    assert not Breach.objects.exists()
    investigation.refresh_from_db()
    assert investigation.outcome == ""
