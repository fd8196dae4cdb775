from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from breaches.models import Breach, BreachEvent
from breaches.services import register as services
from retention.models import RetentionPolicy
from tests.factories import SupportFactory

pytestmark = pytest.mark.django_db

LIST = "/backoffice/breaches/"
QUERIES_FOR_THE_LIST = 5


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def actions(breach) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(breach.pk), action__startswith="breach.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_dpo_records_a_breach_with_every_field(dpo, dpo_client):
    aware = timezone.now() - timedelta(hours=3)
    response = dpo_client.post(
        f"{LIST}new/",
        {
            "title": "Report e-mailed to the wrong client",
            "aware_at": local(aware),
            "occurred_at": local(aware - timedelta(hours=2)),
            "description": "Acme's report went to Brightwater.",
            "discovered_how": "Brightwater told us.",
            "data_categories": ["identifiers", "usage"],
            "people_categories": ["end_users"],
            "people_approx": "12",
            "records_approx": "340",
            "likely_consequences": "Loss of confidentiality.",
            "measures_taken": "Recipient deleted it.",
            "measures_proposed": "No reports by e-mail.",
            "dpo_contact_name": "Priya Shah",
            "dpo_contact_email": "dpo@privacydesk.test",
            "dpo_contact_phone": "020 7946 0000",
        },
    )
    breach = Breach.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{breach.pk}/"
    assert breach.data_categories == ["identifiers", "usage"]
    assert breach.people_approx == 12 and breach.records_approx == 340
    assert breach.opened_by == dpo
    assert breach.deadline == breach.aware_at + timedelta(hours=72)
    assert actions(breach) == ["breach.open"]

    html = dpo_client.get(response["Location"]).content.decode()
    for text in (
        "Report e-mailed to the wrong client",
        "Brightwater told us.",
        "Basic personal identifiers",
        "End users (employees of our clients)",
        "Loss of confidentiality.",
        "Recipient deleted it.",
        "No reports by e-mail.",
        "020 7946 0000",
        "68 h",  # the clock: 72 hours less the 3 since awareness (give or take a minute)
    ):
        assert text in html, text
    assert actions(breach) == ["breach.open", "breach.view"]


def test_a_breach_cannot_be_aware_in_the_future(dpo_client):
    response = dpo_client.post(
        f"{LIST}new/",
        {
            "title": "Future",
            "aware_at": local(timezone.now() + timedelta(days=1)),
            "description": "x",
        },
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not Breach.objects.exists()


def test_decisions_are_kept_with_their_reasons_on_the_timeline(dpo, dpo_client, open_breach):
    breach = open_breach()
    for kind, reason in [
        ("report_ico", "Phishing risk for 150 people."),
        ("tell_people", "High risk: they should reset passwords."),
        ("not_tell_people", "Passwords were hashed; the risk is not high after all."),
    ]:
        response = dpo_client.post(
            f"{LIST}{breach.pk}/decisions/", {"decision-kind": kind, "decision-reason": reason}
        )
        assert response.status_code == 302

    breach.refresh_from_db()
    assert breach.ico_decision == Breach.IcoDecision.REPORT
    assert breach.people_decision == Breach.PeopleDecision.NOT_TELL
    timeline = list(breach.events.values_list("kind", "reason", "by"))
    assert timeline == [
        ("opened", "", dpo.pk),
        ("report_ico", "Phishing risk for 150 people.", dpo.pk),
        ("tell_people", "High risk: they should reset passwords.", dpo.pk),
        ("not_tell_people", "Passwords were hashed; the risk is not high after all.", dpo.pk),
    ]
    assert actions(breach).count("breach.decision") == 3
    html = dpo_client.get(f"{LIST}{breach.pk}/").content.decode()
    assert "Passwords were hashed; the risk is not high after all." in html


def test_a_decision_needs_a_reason(dpo_client, open_breach):
    breach = open_breach()
    response = dpo_client.post(
        f"{LIST}{breach.pk}/decisions/", {"decision-kind": "not_report_ico", "decision-reason": ""}
    )
    assert response.status_code == 400
    breach.refresh_from_db()
    assert breach.ico_decision == ""


def test_the_ico_reference_and_time_are_kept_and_stop_the_clock(dpo_client, open_breach):
    breach = open_breach(hours_ago=30)
    reported = timezone.now() - timedelta(hours=2)
    response = dpo_client.post(
        f"{LIST}{breach.pk}/ico-report/",
        {"ico-reference": "IC-123456-ABCD", "ico-reported_at": local(reported)},
    )
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.ico_reference == "IC-123456-ABCD"
    assert breach.ico_reported_at == reported.replace(second=0, microsecond=0)
    assert breach.ico_decision == Breach.IcoDecision.REPORT
    assert not breach.clock_running
    entry = AuditEntry.objects.get(action="breach.ico_reported")
    assert entry.details["reference"] == "IC-123456-ABCD"
    assert entry.details["late"] is False
    html = dpo_client.get(f"{LIST}{breach.pk}/").content.decode()
    assert "IC-123456-ABCD" in html
    assert "Reported to the ICO" in html


def test_a_late_ico_report_needs_the_reasons_for_the_delay(dpo, dpo_client, open_breach):
    breach = open_breach(hours_ago=100)
    data = {"ico-reference": "IC-9", "ico-reported_at": local(timezone.now())}
    response = dpo_client.post(f"{LIST}{breach.pk}/ico-report/", data)
    assert response.status_code == 400
    assert "reasons for the delay" in response.content.decode()

    data["ico-delay_reason"] = "The scale was only known after the forensic report."
    assert dpo_client.post(f"{LIST}{breach.pk}/ico-report/", data).status_code == 302
    breach.refresh_from_db()
    assert breach.reported_late
    assert breach.events.filter(
        kind=BreachEvent.Kind.DELAY, reason__startswith="The scale was only known"
    ).exists()


def test_updates_sent_in_phases_are_numbered_per_recipient(dpo, open_breach):
    breach = open_breach()
    with pytest.raises(ValidationError):
        services.breach_send_update(
            breach=breach, recipient="ico", summary="Before the report", by=dpo
        )
    services.breach_record_ico_report(
        breach=breach, reference="IC-1", reported_at=timezone.now(), by=dpo
    )
    first = services.breach_send_update(breach=breach, recipient="ico", summary="Scope", by=dpo)
    second = services.breach_send_update(breach=breach, recipient="ico", summary="Cause", by=dpo)
    people = services.breach_send_update(
        breach=breach, recipient="people", summary="Reset your password", by=dpo
    )
    assert (first.phase, second.phase, people.phase) == (1, 2, 1)
    assert actions(breach).count("breach.update_sent") == 3


def test_a_breach_closes_only_when_its_decisions_are_made(dpo, dpo_client, open_breach):
    breach = open_breach()
    response = dpo_client.post(f"{LIST}{breach.pk}/close/", {"close-reason": "Done."})
    assert response.status_code == 400
    assert "whether to report it to the ICO" in response.content.decode()

    services.breach_decide(breach=breach, kind="not_report_ico", reason="Encrypted.", by=dpo)
    services.breach_decide(breach=breach, kind="not_tell_people", reason="No risk.", by=dpo)
    assert (
        dpo_client.post(f"{LIST}{breach.pk}/close/", {"close-reason": "Done."}).status_code == 302
    )
    breach.refresh_from_db()
    assert breach.status == Breach.Status.CLOSED
    assert breach.closed_by == dpo
    assert "breach.close" in actions(breach)
    # A closed breach takes no more decisions.
    with pytest.raises(ValidationError):
        services.breach_decide(breach=breach, kind="report_ico", reason="Changed mind.", by=dpo)


def test_editing_the_record_is_audited_by_field_name_only(dpo_client, open_breach):
    breach = open_breach()
    form = {
        "title": breach.title,
        "aware_at": local(breach.aware_at),
        "description": breach.description,
        "likely_consequences": "Alice Example's address seen by another client.",
        "dpo_contact_email": breach.dpo_contact_email,
        "dpo_contact_name": breach.dpo_contact_name,
    }
    assert dpo_client.post(f"{LIST}{breach.pk}/edit/", form).status_code == 302
    breach.refresh_from_db()
    assert breach.likely_consequences == "Alice Example's address seen by another client."
    entry = AuditEntry.objects.get(action="breach.update")
    assert entry.details == {"fields": ["likely_consequences"]}
    assert "Alice" not in str(entry.details)


def test_only_the_dpo_may_use_the_services(open_breach):
    breach = open_breach()
    support = SupportFactory()
    with pytest.raises(PermissionDenied):
        services.breach_decide(breach=breach, kind="report_ico", reason="x", by=support)
    with pytest.raises(PermissionDenied):
        services.breach_open(by=support, title="x", aware_at=timezone.now(), description="x")


def test_the_printable_report_has_the_ico_form_fields_and_is_audited(dpo, dpo_client, open_breach):
    breach = open_breach(
        hours_ago=80,
        data_categories=["login"],
        people_categories=["client_admins"],
        people_approx=150,
        records_approx=420,
        likely_consequences="Phishing.",
        measures_taken="Passwords reset.",
        measures_proposed="Encrypt laptops.",
        dpo_contact_phone="020 7946 0000",
    )
    services.breach_record_ico_report(
        breach=breach,
        reference="IC-42",
        reported_at=timezone.now(),
        delay_reason="Waited for the police report.",
        by=dpo,
    )
    response = dpo_client.get(f"{LIST}{breach.pk}/report/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "What has happened?",
        "When did you discover the breach?",
        "If there has been a delay in reporting, why?",
        "Waited for the police report.",
        "Categories of personal data included",
        "Identification data",
        "Approximate number of personal data records concerned",
        "420",
        "150",
        "Client administrators",
        "Phishing.",
        "Passwords reset.",
        "Encrypt laptops.",
        "IC-42",
        "020 7946 0000",
        'class="breach-report"',
    ):
        assert text in html, text
    # The print page carries no back-office forms.
    assert '<form method="post" action="/backoffice/breaches/' not in html
    assert actions(breach)[-1] == "breach.print"


def test_the_print_stylesheet_hides_the_site_chrome():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    print_css = css[css.index("@media print") :]
    for selector in (".site-header", ".site-footer", ".cookie-banner", ".no-print"):
        assert selector in print_css


def test_the_register_lists_open_breaches_with_their_clocks(
    dpo_client, open_breach, django_assert_num_queries
):
    for hours in (10, 50, 80):
        open_breach(hours_ago=hours, title=f"Aware {hours} hours ago")
    dpo_client.get(LIST)  # warm the session
    # session, user, OTP device, count, one page of breaches (the clocks
    # are computed in Python, no query per row)
    with django_assert_num_queries(QUERIES_FOR_THE_LIST):
        response = dpo_client.get(LIST)
    html = response.content.decode()
    assert html.index("Aware 80 hours ago") < html.index("Aware 50 hours ago")
    assert html.index("Aware 50 hours ago") < html.index("Aware 10 hours ago")
    assert "Overdue by 8 h" in html
    # One breach of each colour: 62 h left (blue), 22 h left (amber), overdue (red).
    assert [html.count(f"badge-{tone}") for tone in ("running", "due-soon", "overdue")] == [1, 1, 1]
    assert html.count("left to report") == 2

    for hours in range(20):
        open_breach(hours_ago=hours, title="More")
    with django_assert_num_queries(QUERIES_FOR_THE_LIST):
        dpo_client.get(LIST)


def test_a_breach_record_has_a_retention_policy_and_a_data_map_entry():
    from datamap import registry

    assert RetentionPolicy.objects.filter(category="breaches", basis="closure").exists()
    entries = registry.entries_in_retention_category("breaches")
    assert {entry.model for entry in entries} == {"breaches.Breach", "breaches.BreachEvent"}
    assert all(entry.erasure.describe().startswith("Kept:") for entry in entries)


def test_the_retention_migration_seed_is_idempotent():
    from importlib import import_module

    from django.apps import apps

    (seeding,) = import_module("retention.migrations.0003_breaches_policy").Migration.operations
    seed = seeding.code
    RetentionPolicy.objects.filter(category="breaches").update(days=3000)
    seed(apps, None)
    seed(apps, None)
    assert list(
        RetentionPolicy.objects.filter(category="breaches").values_list("days", flat=True)
    ) == [3000]
    RetentionPolicy.objects.filter(category="breaches").delete()
    seed(apps, None)
    assert RetentionPolicy.objects.get(category="breaches").days == 2190


def test_the_demo_has_an_open_breach_with_its_clock_and_a_reported_one(dpo):
    from breaches.demo import breaches_demo_seed

    breaches_demo_seed(dpo=dpo)
    breaches_demo_seed(dpo=dpo)
    assert Breach.objects.count() == 2
    running = [breach for breach in Breach.objects.all() if breach.clock_running]
    assert len(running) == 1
    reported = Breach.objects.get(ico_reference__startswith="IC-")
    assert reported.ico_reported_at and not reported.reported_late
    assert reported.events.filter(kind=BreachEvent.Kind.UPDATE_SENT).count() == 1
