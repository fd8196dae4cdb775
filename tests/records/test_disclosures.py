import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from dsar.executors.access import access_package_build
from dsar.executors.package_files import package_open
from dsar.models import Channel, RequestKind
from dsar.services.filing import rights_request_file
from dsar.services.subjects import rights_request_confirm_subject
from records.models import Disclosure
from records.services import disclosure_record
from tests.archives import entry_rows
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
)
from usage.models import UsageEvent
from usage.services import usage_rollup_day

pytestmark = pytest.mark.django_db

LIST = reverse("disclosures:list")
NEW = reverse("disclosures:new")
CSV = reverse("disclosures:csv")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def a_disclosure(**fields):
    defaults = {
        "recipient_type": "regulator",
        "recipient": "Information Commissioner's Office",
        "legal_basis": "Legal obligation",
        "categories": ["contact"],
        "description": "Answer to an ICO enquiry",
        "reference": "ICO-1",
    }
    return disclosure_record(**{**defaults, **fields})


def test_usage_report_download_to_access_package_lists_the_disclosure(
    client, verified_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    """GIVEN a client whose users used the product
    WHEN its admin downloads the usage report CSV from the console
    THEN a client disclosure names the users, and one user's access package lists it."""
    org = OrganisationFactory(name="Acme Widgets Ltd")
    ann = UserFactory(organisation=org, full_name="Ann Able", email="ann@acme.test")
    bob = UserFactory(organisation=org, full_name="Bob Baker")
    today = timezone.localdate()
    for user in (ann, bob):
        UsageEvent.objects.create(
            occurred_at=timezone.now(), organisation=org, user=user, action="x", feature="f"
        )
    usage_rollup_day(day=today)
    settings.MEDIA_ROOT = tmp_path / "media"
    verified_client(ClientAdminFactory(organisation=org))
    with django_capture_on_commit_callbacks(execute=True):
        requested = client.post(
            reverse("usage:exports"), {"start": today, "end": today, "group_by": "user"}
        )
    assert not Disclosure.objects.filter(organisation=org).exists()  # built, not yet downloaded

    response = client.get(f"{requested['Location']}download/")
    assert response.status_code == 200
    assert b"Ann Able" in b"".join(response.streaming_content)

    disclosure = Disclosure.objects.get(organisation=org)
    assert disclosure.recipient_type == Disclosure.RecipientType.CLIENT
    assert "CSV export download" in disclosure.description
    assert set(disclosure.subjects.values_list("user_id", flat=True)) == {ann.pk, bob.pk}

    dpo = DpoFactory()
    request = rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Ann Able",
        requester_email=ann.email,
        channel=Channel.EMAIL,
        filed_by=dpo,
        verified=True,
    )
    rights_request_confirm_subject(request=request, user=ann, by=dpo)
    with django_capture_on_commit_callbacks(execute=True):
        package = access_package_build(request=request, by=dpo)

    archive = zipfile.ZipFile(package_open(package))
    about = entry_rows(archive, "audit.disclosures_about")
    assert [row["disclosure__description"] for row in about] == [disclosure.description]
    assert about[0]["disclosure__recipient"] == "Acme Widgets Ltd"
    assert disclosure.description in archive.read("index.html").decode()


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory])
def test_members_and_client_admins_cannot_see_the_disclosure_log(client, verified_client, factory):
    disclosure = a_disclosure()
    verified_client(factory())
    for url in (LIST, CSV, NEW, reverse("disclosures:detail", args=[disclosure.pk])):
        assert client.get(url).status_code == 403, url


def test_support_cannot_read_the_log_nor_record_a_disclosure(client, verified_client):
    disclosure = a_disclosure()
    verified_client(SupportFactory())
    for url in (LIST, CSV, NEW, reverse("disclosures:detail", args=[disclosure.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, {"recipient_type": "regulator"}).status_code == 403
    assert Disclosure.objects.count() == 1


def test_the_dpo_records_a_disclosure_to_law_enforcement_naming_the_people(client, verified_client):
    dpo = DpoFactory()
    ann = UserFactory(email="ann@client.test")
    bob = UserFactory(email="bob@client.test")
    verified_client(dpo)
    assert client.get(NEW).status_code == 200

    response = client.post(
        NEW,
        {
            "recipient_type": "law_enforcement",
            "recipient": "Metropolitan Police",
            "organisation": str(ann.organisation_id),
            "legal_basis": "Legal obligation: production order",
            "reference": "MET/2026/17",
            "categories": ["contact", "login"],
            "description": "Login history of two accounts",
            "people": "ANN@client.test\nbob@client.test, ann@client.test",
        },
    )

    disclosure = Disclosure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosures:detail", args=[disclosure.pk])
    assert disclosure.recipient_type == "law_enforcement"
    assert disclosure.reference == "MET/2026/17"
    assert disclosure.categories == ["contact", "login"]
    assert (disclosure.disclosed_by, disclosure.organisation) == (dpo, ann.organisation)
    assert set(disclosure.subjects.values_list("user_id", flat=True)) == {ann.pk, bob.pk}
    assert AuditEntry.objects.filter(action="disclosure.record", actor=dpo).exists()


def test_an_unknown_address_or_a_missing_reference_is_refused(client, verified_client):
    verified_client(DpoFactory())
    response = client.post(
        NEW,
        {
            "recipient_type": "regulator",
            "recipient": "ICO",
            "legal_basis": "Legal obligation",
            "reference": "",
            "categories": ["contact"],
            "description": "x",
            "people": "nobody@nowhere.test",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "nobody@nowhere.test" in str(form.errors["people"])
    assert "reference" in form.errors
    assert not Disclosure.objects.exists()


def test_a_client_disclosure_cannot_be_entered_by_hand(client, verified_client):
    verified_client(DpoFactory())
    response = client.post(NEW, {"recipient_type": "client", "recipient": "Acme"})
    assert response.status_code == 400
    assert "recipient_type" in response.context["form"].errors


def test_the_people_search_finds_accounts_by_email_and_is_audited(client, verified_client):
    dpo = DpoFactory()
    ann = UserFactory(email="ann.able@client.test")
    verified_client(dpo)
    page = client.get(f"{NEW}?q=ann.able").content.decode()
    assert "ann.able@client.test" in page
    entry = AuditEntry.objects.get(action="disclosure.people_search")
    assert entry.details["matches"] == [ann.pk]


def test_the_log_filters_by_recipient_type_organisation_and_date(client, verified_client):
    org = OrganisationFactory()
    a_disclosure(description="To the regulator")
    a_disclosure(
        recipient_type="client",
        recipient=org.name,
        organisation=org,
        description="Report to the client",
    )
    verified_client(DpoFactory())

    def shown(query):
        return [d.description for d in client.get(f"{LIST}?{query}").context["page"]]

    assert shown("recipient_type=regulator") == ["To the regulator"]
    assert shown(f"organisation={org.pk}") == ["Report to the client"]
    today = timezone.localdate()
    assert len(shown(f"start={today}&end={today}")) == 2
    assert shown("start=2001-01-01&end=2001-01-02") == []


def test_the_list_is_paginated_with_a_fixed_query_count(
    client, verified_client, django_assert_num_queries
):
    org = OrganisationFactory()
    verified_client(DpoFactory())
    a_disclosure(organisation=org)
    # session, user, OTP device, organisations for the filter, count, one page of disclosures
    # with their organisation joined.
    with django_assert_num_queries(6):
        assert client.get(LIST).status_code == 200
    for n in range(30):
        a_disclosure(organisation=OrganisationFactory(), description=f"Disclosure {n}")
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert len(response.context["page"]) == 25
    assert "page=2" in response.content.decode()


def test_a_disclosures_page_names_the_people_and_viewing_it_is_audited(client, verified_client):
    dpo = DpoFactory()
    ann = UserFactory(full_name="Ann Able", email="ann@client.test")
    disclosure = a_disclosure(subject_user_ids=[ann.pk])
    verified_client(dpo)

    page = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()

    assert "ann@client.test" in page
    assert "Information Commissioner" in page
    entry = AuditEntry.objects.get(action="disclosure.view")
    assert (entry.actor, entry.target_id) == (dpo, str(disclosure.pk))
    assert entry.details["people_shown"] == [ann.pk]


def test_the_csv_export_is_filtered_formula_safe_and_audited(client, verified_client):
    dpo = DpoFactory()
    a_disclosure(description="=HYPERLINK(1)")
    a_disclosure(recipient_type="service_provider", description="To the mailer")
    verified_client(dpo)

    response = client.get(f"{CSV}?recipient_type=regulator")

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in body
    assert "To the mailer" not in body
    assert body.splitlines()[0].startswith("When (UK time),Type of recipient,Recipient")
    assert AuditEntry.objects.filter(action="disclosure.export", actor=dpo).exists()


def test_an_unknown_disclosure_is_a_404(client, verified_client):
    verified_client(DpoFactory())
    assert client.get(reverse("disclosures:detail", args=[999999])).status_code == 404
