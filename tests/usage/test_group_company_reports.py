"""A group company's client admins see the usage report of the organisation that named it
(Acme names Sister): picked in the console, checked on the server at every request, each view
a disclosure to Sister, named with its relation to Acme, in the person's access package and
on their account page. An unrelated organisation's admin gets 404; ending the entitlement
stops the access."""

import datetime
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from accounts.models import GroupCompany
from accounts.services.group_companies import group_company_end
from dsar.executors.access import access_package_build
from dsar.executors.package_files import package_open
from dsar.models import Channel, RequestKind
from dsar.services.filing import rights_request_file
from dsar.services.subjects import rights_request_confirm_subject
from records.models import Disclosure
from tests.archives import entry_rows
from tests.factories import DpoFactory, UserFactory, api_key_for
from tests.usage.conftest import used_on
from usage.models import UsageExport
from usage.services.exports import usage_export_request

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)
PERIOD = f"start={DAY}&end={DAY}"
SISTER_NAME = "Sister Ltd (group company of Acme Ltd)"


@pytest.fixture
def usage(group):
    """Ann of Acme used the product on DAY; so did Stella of Stranger."""
    used_on(group.ann, DAY)
    used_on(UserFactory(organisation=group.stranger, full_name="Stella Stranger"), DAY)
    return group


def report_of(client, organisation, query=PERIOD):
    return client.get(f"/console/usage/?of={organisation.pk}&{query}")


def test_the_group_companys_admin_picks_the_parents_report_and_sees_its_people(
    usage, verified_client
):
    sam = verified_client(usage.sam)
    own = sam.get(f"/console/usage/?{PERIOD}").content.decode()
    # The picker offers Sister's own report and Acme's, saying why.
    assert "Report of" in own
    assert "Sister Ltd (your organisation)" in own
    assert "Acme Ltd (you are its group company)" in own
    assert "Ann Able" not in own

    response = report_of(sam, usage.acme, f"{PERIOD}&group_by=user")
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "<h1>Usage report of Acme Ltd</h1>" in html
    assert "Ann Able" in html and "ann@acme.test" in html
    assert "Stella Stranger" not in html
    assert "recorded as a disclosure to Sister Ltd" in html
    # The CSV export the page offers is of Acme's report.
    assert f'<input type="hidden" name="of" value="{usage.acme.pk}">' in html


def test_each_view_is_a_disclosure_to_the_group_company_once_a_day_with_a_count_of_views(
    usage, verified_client
):
    sam = verified_client(usage.sam)
    report_of(sam, usage.acme, f"{PERIOD}&group_by=user")
    report_of(sam, usage.acme, f"{PERIOD}&group_by=user&sort=name")  # the same report again
    report_of(sam, usage.acme, f"{PERIOD}&group_by=feature")  # another report

    disclosures = Disclosure.objects.order_by("pk")
    assert [(d.recipient, d.views) for d in disclosures] == [(SISTER_NAME, 2), (SISTER_NAME, 1)]
    first = disclosures[0]
    assert first.organisation == usage.sister
    assert first.disclosed_by == usage.sam
    assert first.recipient_type == Disclosure.RecipientType.CLIENT
    assert "group company" in first.legal_basis
    assert first.description.startswith("Usage report of Acme Ltd 20 Nov 2026 to 20 Nov 2026")
    assert set(first.subjects.values_list("user_id", flat=True)) == {usage.ann.pk}


@pytest.mark.parametrize("who", ["stranger_admin", "parent_admin"])
def test_an_admin_of_an_organisation_not_named_gets_404_and_nothing_is_disclosed(
    usage, verified_client, who
):
    if who == "stranger_admin":
        client, asked = verified_client(usage.stan), usage.acme
    else:
        # The entitlement runs one way: Acme's admin may not read Sister's report.
        client, asked = verified_client(usage.ada), usage.sister
    assert report_of(client, asked).status_code == 404
    assert report_of(client, asked, f"{PERIOD}&group_by=feature").status_code == 404
    for junk in ("987654", "acme", "1 OR 1=1"):
        assert client.get(f"/console/usage/?of={junk}&{PERIOD}").status_code == 404
    assert not Disclosure.objects.exists()
    # Their own report has no picker: they are nobody's group company.
    assert "Report of" not in client.get(f"/console/usage/?{PERIOD}").content.decode()


def test_ending_the_entitlement_stops_the_access_at_once(usage, verified_client):
    sam = verified_client(usage.sam)
    assert report_of(sam, usage.acme).status_code == 200
    entitlement = GroupCompany.objects.get(organisation=usage.acme, member=usage.sister)
    group_company_end(entitlement=entitlement, by=DpoFactory())

    assert report_of(sam, usage.acme).status_code == 404
    assert "Acme Ltd" not in sam.get(f"/console/usage/?{PERIOD}").content.decode()


def test_a_member_of_the_group_company_sees_no_report(usage, verified_client):
    member = verified_client(UserFactory(organisation=usage.sister))
    assert report_of(member, usage.acme).status_code == 403


def test_the_disclosure_reaches_the_persons_account_page_and_access_package(
    usage, verified_client, settings, tmp_path, client
):
    settings.MEDIA_ROOT = tmp_path / "media"
    sam = verified_client(usage.sam)
    report_of(sam, usage.acme, f"{PERIOD}&group_by=user")

    ann = verified_client(usage.ann, client=client)
    page = ann.get("/account/").content.decode().replace("&#x27;", "'")
    assert "Disclosures of your data" in page
    assert SISTER_NAME in page

    dpo = DpoFactory()
    request = rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Ann Able",
        requester_email=usage.ann.email,
        channel=Channel.EMAIL,
        filed_by=dpo,
        verified=True,
        received_at=timezone.now(),
    )
    rights_request_confirm_subject(request=request, user=usage.ann, by=dpo)
    package = access_package_build(request=request, by=dpo)
    archive = zipfile.ZipFile(package_open(package))
    [row] = entry_rows(archive, "audit.disclosures_about")
    assert row["disclosure__recipient"] == SISTER_NAME
    assert row["disclosure__description"].startswith("Usage report of Acme Ltd")
    assert SISTER_NAME in archive.read("index.html").decode().replace("&#x27;", "'")


EXPORTS = "/console/usage/exports/"


def export_requested(client, organisation, capture):
    with capture(execute=True):
        response = client.post(
            EXPORTS, {"of": organisation.pk, "start": DAY, "end": DAY, "group_by": "user"}
        )
    return response


def test_the_group_companys_admin_exports_the_parents_report_each_download_a_disclosure(
    usage, verified_client, export_files, django_capture_on_commit_callbacks
):
    sam = verified_client(usage.sam)
    assert "Acme Ltd (you are its group company)" in sam.get(EXPORTS).content.decode()
    export_requested(sam, usage.acme, django_capture_on_commit_callbacks)
    export = UsageExport.objects.get()
    assert (export.organisation, export.requested_by, export.status) == (
        usage.acme,
        usage.sam,
        "ready",
    )
    listed = sam.get(EXPORTS).content.decode()
    assert f'href="{EXPORTS}{export.pk}/"' in listed and "<td>Acme Ltd</td>" in listed

    for _ in range(2):
        response = sam.get(f"{EXPORTS}{export.pk}/download/")
        assert response.status_code == 200
        assert b"Ann Able" in b"".join(response.streaming_content)
    # A file is a copy that leaves each time: two downloads, two disclosures, both to Sister.
    disclosures = Disclosure.objects.all()
    assert [(d.recipient, d.views) for d in disclosures] == [(SISTER_NAME, 1)] * 2
    assert all("of Acme Ltd" in d.description for d in disclosures)

    # Sister's copy is Sister's: Acme's admin neither lists nor opens it.
    ada = verified_client(usage.ada, client=Client())
    assert f"{EXPORTS}{export.pk}/" not in ada.get(EXPORTS).content.decode()
    assert ada.get(f"{EXPORTS}{export.pk}/").status_code == 404

    entitlement = GroupCompany.objects.get(organisation=usage.acme, member=usage.sister)
    group_company_end(entitlement=entitlement, by=DpoFactory())
    assert sam.get(f"{EXPORTS}{export.pk}/").status_code == 404
    assert sam.get(f"{EXPORTS}{export.pk}/download/").status_code == 404
    assert Disclosure.objects.count() == 2


def test_an_unrelated_admin_cannot_export_the_report(
    usage, verified_client, export_files, django_capture_on_commit_callbacks
):
    stan = verified_client(usage.stan)
    # Stranger is nobody's group company: the form has no choice to make, and a forged one
    # exports Stranger's own report, never Acme's.
    export_requested(stan, usage.acme, django_capture_on_commit_callbacks)
    assert UsageExport.objects.get().organisation == usage.stranger
    UsageExport.objects.all().delete()
    # Sam's choice is Sister's or Acme's: a third organisation is a form error.
    sam = verified_client(usage.sam, client=Client())
    response = export_requested(sam, usage.stranger, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert not UsageExport.objects.exists()
    with pytest.raises(PermissionDenied):
        usage_export_request(
            organisation=usage.acme, start=DAY, end=DAY, grouping="user", by=usage.stan
        )
    assert not UsageExport.objects.exists()


API = "/api/v1/usage/report/"


def test_a_key_of_the_group_company_reads_the_parents_report_by_its_slug(usage):
    _, plain = api_key_for(usage.sister, scopes=["usage:read"], name="Sister's BI")
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}
    api = Client()
    query = f"?start={DAY}&end={DAY}&group_by=user&organisation={usage.acme.slug}"
    body = api.get(f"{API}{query}", **auth).json()
    assert body["organisation"] == usage.acme.slug
    assert body["rows"][0]["label"] == "Ann Able <ann@acme.test>"
    as_csv = api.get(f"{API}{query}&format=csv", **auth)
    assert b"Ann Able" in b"".join(as_csv.streaming_content)
    disclosures = Disclosure.objects.all()
    assert [d.recipient for d in disclosures] == [SISTER_NAME] * 2
    assert all(d.organisation == usage.sister for d in disclosures)
    assert all(d.disclosed_by_label.startswith("api-key:") for d in disclosures)

    group_company_end(
        entitlement=GroupCompany.objects.get(organisation=usage.acme, member=usage.sister),
        by=DpoFactory(),
    )
    ended = api.get(f"{API}{query}", **auth)
    assert ended.status_code == 404
    assert "error" in ended.json()
    assert Disclosure.objects.count() == 2


def test_an_unrelated_key_or_admin_naming_the_parent_gets_404_in_json(usage, verified_client):
    _, plain = api_key_for(usage.stranger, scopes=["usage:read"])
    query = f"?start={DAY}&end={DAY}&organisation={usage.acme.slug}"
    by_key = Client().get(f"{API}{query}", HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert by_key.status_code == 404
    assert set(by_key.json()["error"]) >= {"code", "message"}
    by_admin = verified_client(usage.stan).get(f"{API}{query}&format=csv")
    assert by_admin.status_code == 404
    nowhere = Client().get(
        f"{API}?start={DAY}&end={DAY}&organisation=no-such-org",
        HTTP_AUTHORIZATION=f"Api-Key {plain}",
    )
    assert nowhere.status_code == 404
    # Its own slug is its own report.
    own = Client().get(
        f"{API}?start={DAY}&end={DAY}&organisation={usage.stranger.slug}",
        HTTP_AUTHORIZATION=f"Api-Key {plain}",
    )
    assert own.json()["organisation"] == usage.stranger.slug
    assert not Disclosure.objects.filter(recipient__contains="Acme").exists()


def test_the_parents_report_reads_a_fixed_number_of_queries(
    usage, verified_client, django_assert_num_queries
):
    sam = verified_client(usage.sam)
    report_of(sam, usage.acme, f"{PERIOD}&group_by=user")  # the day's disclosure of this report
    # Session, user, OTP device, organisation (4); the organisations whose reports it may see,
    # with the entitlement (1); the report: grouped rows, daily series, names (3); the view
    # counted on the day's disclosure: savepoint, locked read, update, re-read of the count
    # (4); its audit entry: savepoint, lock, chain head, insert, release (5); release (1).
    with django_assert_num_queries(18):
        response = report_of(sam, usage.acme, f"{PERIOD}&group_by=user&sort=name")
    assert response.status_code == 200
