"""The processor register: the save rule (no place outside the UK without its safeguard), the
DPO's pages (support reads, only the DPO writes, every write audited), and what the record of
processing shows from it."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from records.models import ProcessingActivity, Processor
from records.selectors import processor_register, record_of_processing
from records.services import processor_save
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory
from tests.visible import internals_in, visible_text

pytestmark = pytest.mark.django_db

LIST = reverse("processors:list")
NEW = reverse("processors:new")
SIGNED = datetime.date(2025, 6, 2)
IDTA = {"safeguard": "idta", "date": "2025-06-02"}


def provider(**fields) -> Processor:
    values = {
        "name": "Payroll bureau",
        "service": "Runs payroll exports.",
        "data_categories": ["contact"],
        "storage_countries": ["GB"],
        "backup_countries": ["GB"],
        "agreement_date": SIGNED,
        "no_own_use_clause": True,
        "sub_processors": [],
        "transfers": {},
    }
    values.update(fields)
    return Processor(**values)


# --- The save rule ----------------------------------------------------------------------


def test_a_provider_that_keeps_everything_in_the_uk_needs_no_safeguard():
    provider().full_clean()


def test_a_backup_outside_the_uk_without_a_safeguard_cannot_be_saved():
    with pytest.raises(ValidationError) as refused:
        provider(backup_countries=["GB", "US"]).full_clean()
    assert refused.value.message_dict["transfers"] == [
        "United States of America is outside the UK: give its safeguard."
    ]


def test_storage_outside_the_uk_is_accepted_with_its_safeguard_and_date():
    provider(storage_countries=["US"], transfers={"US": IDTA}).full_clean()


def test_a_sub_processor_abroad_needs_a_safeguard_too():
    sub = {"name": "Backup Co", "service": "Off-site backups", "country": "IN"}
    with pytest.raises(ValidationError) as refused:
        provider(sub_processors=[sub]).full_clean()
    assert "India is outside the UK" in refused.value.message_dict["transfers"][0]
    provider(sub_processors=[sub], transfers={"IN": IDTA}).full_clean()


@pytest.mark.parametrize(
    ("transfer", "message"),
    [
        ({"safeguard": "a promise", "date": "2025-06-02"}, "give its safeguard"),
        ({"safeguard": "idta", "date": ""}, "give the date of its safeguard"),
        ({"safeguard": "idta", "date": "2999-01-01"}, "date is in the future"),
    ],
)
def test_a_safeguard_must_be_a_lawful_one_with_a_past_date(transfer, message):
    with pytest.raises(ValidationError) as refused:
        provider(backup_countries=["IE"], transfers={"IE": transfer}).full_clean()
    assert message in refused.value.message_dict["transfers"][0]


def test_the_agreement_must_forbid_use_for_the_providers_own_purposes_and_have_a_date():
    with pytest.raises(ValidationError) as refused:
        provider(no_own_use_clause=False, agreement_date=None).full_clean()
    assert set(refused.value.message_dict) == {"no_own_use_clause", "agreement_date"}


def test_the_service_refuses_a_provider_abroad_without_a_safeguard_and_saves_nothing():
    dpo = DpoFactory()
    fields = {
        "name": "Offshore CRM",
        "service": "Keeps client contacts.",
        "data_categories": ["contact"],
        "storage_countries": ["US"],
        "backup_countries": [],
        "agreement_date": SIGNED,
        "no_own_use_clause": True,
    }
    with pytest.raises(ValidationError):
        processor_save(fields=fields, activities=[], by=dpo)
    assert not Processor.objects.filter(name="Offshore CRM").exists()

    saved = processor_save(fields={**fields, "transfers": {"US": IDTA}}, activities=[], by=dpo)
    assert saved.safeguard_of("US") == ("International Data Transfer Agreement (IDTA)", SIGNED)
    entry = AuditEntry.objects.get(action="processor.create")
    assert entry.actor == dpo and entry.details["abroad"] == ["US"]


# --- The register as the notice and the pages read it -----------------------------------


def test_the_register_is_seeded_with_the_hosting_provider_and_microsoft_365_as_the_notice_says():
    entries = {entry.name: entry for entry in processor_register()}
    assert [entry.name for entry in processor_register()] == sorted(entries)
    hosting = entries["Cloud hosting provider"]
    assert (hosting.storage, hosting.backup, hosting.transfers) == (
        ["United Kingdom"],
        ["United Kingdom"],
        [],
    )
    microsoft = entries["Microsoft 365"]
    assert microsoft.storage == ["United Kingdom"]
    assert microsoft.backup == ["Ireland", "Netherlands"]
    assert [str(t) for t in microsoft.transfers] == [
        "Ireland: UK adequacy regulations, 1 January 2021",
        "Netherlands: UK adequacy regulations, 1 January 2021",
    ]
    assert "Rights request" in microsoft.categories
    # The agreements' dates are the DPO's to confirm: the register says what is missing.
    assert "the date of its data processing agreement" in microsoft.missing


@pytest.mark.parametrize("order", [("0002", "0005"), ("0005", "0002")])
def test_the_seeds_link_the_register_to_the_activities_whichever_runs_first(order):
    """The tests' flush reruns every seed with today's models, in no fixed order."""
    from importlib import import_module

    from django.apps import apps

    seeds = {
        "0002": import_module("records.migrations.0002_seed_processing_activities").seed,
        "0005": import_module("records.migrations.0005_seed_processor_register").seed,
    }
    ProcessingActivity.objects.all().delete()
    Processor.objects.all().delete()
    for name in order:
        seeds[name](apps, None)
    microsoft = Processor.objects.get(name="Microsoft 365")
    assert sorted(a.slug for a in microsoft.activities.all()) == ["rights", "support"]
    hosting = Processor.objects.get(name="Cloud hosting provider")
    assert hosting.activities.count() == ProcessingActivity.objects.count() == 8


def test_the_register_filters_by_the_categories_a_provider_receives():
    names = [entry.name for entry in processor_register(categories=["usage"])]
    assert names == ["Cloud hosting provider"]


# --- Pages ------------------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "name": "Survey tool",
        "service": "Sends our customer satisfaction surveys.",
        "data_categories": ["contact"],
        "storage_countries": ["GB"],
        "backup_countries": ["DE"],
        "agreement_date": "2025-06-02",
        "no_own_use_clause": "on",
        "activities": [ProcessingActivity.objects.get(slug="support").pk],
        "subprocessors-TOTAL_FORMS": "1",
        "subprocessors-INITIAL_FORMS": "0",
        "subprocessors-0-name": "",
        "subprocessors-0-service": "",
        "subprocessors-0-country": "",
        "transfers-TOTAL_FORMS": "1",
        "transfers-INITIAL_FORMS": "0",
        "transfers-0-country": "DE",
        "transfers-0-safeguard": "uk_adequacy",
        "transfers-0-date": "2021-01-01",
    }
    data.update(overrides)
    return data


def test_the_dpo_adds_a_provider_abroad_with_its_safeguard_and_it_is_audited(
    client, verified_client
):
    dpo = DpoFactory()
    verified_client(dpo)
    assert client.get(NEW).status_code == 200

    response = client.post(NEW, form_data())

    survey = Processor.objects.get(name="Survey tool")
    assert response.status_code == 302
    assert response["Location"] == reverse("processors:detail", args=[survey.pk])
    assert survey.transfers == {"DE": {"safeguard": "uk_adequacy", "date": "2021-01-01"}}
    assert [a.slug for a in survey.activities.all()] == ["support"]
    assert AuditEntry.objects.filter(action="processor.create", actor=dpo).exists()
    page = client.get(response["Location"])
    assert "Germany: UK adequacy regulations, 1 January 2021" in visible_text(page)


def test_a_provider_abroad_without_a_safeguard_gets_a_form_error_and_is_not_saved(
    client, verified_client
):
    verified_client(DpoFactory())
    response = client.post(
        NEW,
        form_data(
            **{"transfers-0-country": "", "transfers-0-safeguard": "", "transfers-0-date": ""}
        ),
    )
    assert response.status_code == 400
    assert "Germany is outside the UK: give its safeguard." in visible_text(response)
    assert not Processor.objects.filter(name="Survey tool").exists()
    assert not AuditEntry.objects.filter(action="processor.create").exists()


def test_the_dpo_edits_a_provider_and_the_change_is_audited(client, verified_client):
    dpo = DpoFactory()
    verified_client(dpo)
    microsoft = Processor.objects.get(name="Microsoft 365")
    edit = reverse("processors:edit", args=[microsoft.pk])
    page = client.get(edit)
    assert page.status_code == 200
    assert 'value="2021-01-01"' in page.content.decode()

    response = client.post(
        edit,
        form_data(
            name="Microsoft 365",
            service=microsoft.service,
            data_categories=microsoft.data_categories,
            backup_countries=["IE"],
            activities=[a.pk for a in microsoft.activities.all()],
            **{"transfers-0-country": "IE"},
        ),
    )

    assert response.status_code == 302
    microsoft.refresh_from_db()
    assert microsoft.backup_countries == ["IE"]
    assert microsoft.agreement_date == datetime.date(2025, 6, 2)
    entry = AuditEntry.objects.get(action="processor.update", actor=dpo)
    assert {"backup_countries", "transfers", "agreement_date"} <= set(entry.details["changed"])


def test_support_reads_the_register_but_cannot_change_it(client, verified_client):
    verified_client(SupportFactory())
    microsoft = Processor.objects.get(name="Microsoft 365")
    assert client.get(LIST).status_code == 200
    detail = client.get(reverse("processors:detail", args=[microsoft.pk]))
    assert detail.status_code == 200
    assert "Edit" not in visible_text(detail)
    edit = reverse("processors:edit", args=[microsoft.pk])
    for url in (NEW, edit):
        assert client.get(url).status_code == 403, url
    assert client.post(edit, form_data(name="Hacked")).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert not Processor.objects.filter(name__in=["Hacked", "Survey tool"]).exists()
    assert not AuditEntry.objects.filter(action__startswith="processor.").exists()


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory])
def test_people_outside_the_privacy_team_cannot_open_the_register(client, verified_client, factory):
    verified_client(factory())
    assert client.get(LIST).status_code == 403


def test_the_list_reads_in_words_in_a_fixed_number_of_queries(
    client, verified_client, django_assert_num_queries
):
    verified_client(DpoFactory())
    # session, user, OTP device, the register.
    with django_assert_num_queries(4):
        response = client.get(LIST)
    text = visible_text(response)
    assert internals_in(text) == []
    assert "Microsoft 365" in text and "backs up in Ireland and Netherlands" in text
    assert "To complete" in text


# --- The record of processing, from the register -----------------------------------------


def test_the_record_of_processing_shows_each_activitys_processors_places_and_safeguards(
    client, verified_client
):
    verified_client(DpoFactory())
    support = next(r for r in record_of_processing() if r.activity.slug == "support")
    assert [entry.name for entry in support.abroad] == ["Microsoft 365"]
    usage = next(r for r in record_of_processing() if r.activity.slug == "usage")
    assert usage.abroad == []

    text = visible_text(client.get(reverse("processing:record")))
    assert "Microsoft 365: Stores in United Kingdom; backs up in Ireland and Netherlands" in text
    assert "Ireland: UK adequacy regulations, 1 January 2021" in text
    assert "None: every processor keeps this data in the United Kingdom" in text

    response = client.get(reverse("processing:csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_name = {row["Activity"]: row for row in rows}
    assert (
        "Microsoft 365: Ireland: UK adequacy regulations"
        in (by_name["Support enquiries"]["Transfers outside the UK"])
    )
    assert by_name["Usage logging and client usage reports"]["Transfers outside the UK"] == "None"


def test_bad_input_gets_form_errors_never_a_server_error(client, verified_client):
    verified_client(DpoFactory())
    for data in (
        {},
        {"name": "X", "storage_countries": ["XX"], "agreement_date": "not a date"},
        form_data(**{"transfers-0-date": "2021-02-30", "transfers-0-safeguard": "promise"}),
        form_data(**{"transfers-TOTAL_FORMS": "2", "transfers-1-country": "DE"}),
    ):
        response = client.post(NEW, data)
        assert response.status_code == 400, data
    assert not Processor.objects.filter(name__in=["X", "Survey tool"]).exists()


def test_one_country_gets_one_safeguard(client, verified_client):
    verified_client(DpoFactory())
    twice = {
        "transfers-TOTAL_FORMS": "2",
        "transfers-1-country": "DE",
        "transfers-1-safeguard": "idta",
        "transfers-1-date": "2024-01-01",
    }
    response = client.post(NEW, form_data(**twice))
    assert response.status_code == 400
    assert "Germany has more than one safeguard." in visible_text(response)
