"""The access package: built from the data map for a subject holding every category, checked
file by file; the requester downloads it with an e-mailed code, and each download is recorded.
"""

import csv
import datetime
import io
import json
import re
import zipfile

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnUserHandle

import audit
from accounts.models import EmailChange, Invitation, PurposeObjection
from audit.models import AuditEntry
from breaches.services.register import breach_open
from communications.models import MarketingDelivery, MarketingSend
from communications.services import communication_preferences_update
from cookies.models import NoticeChangeEmail, PolicyVersion
from cookies.services import consent_record_create
from datamap import registry
from datamap.purposes import Purpose
from dsar.executors.access import (
    _Build,
    _python_rows,
    access_package_build,
    request_subject,
)
from dsar.executors.package_copy import copy_rows
from dsar.executors.package_files import package_open, package_storage, package_storage_name
from dsar.models import (
    AccessPackage,
    Channel,
    PackageDownload,
    RectificationItem,
    RequestEvent,
    RequestKind,
)
from dsar.selectors import status_token
from dsar.services.filing import rights_request_file
from dsar.services.subjects import rights_request_confirm_subject
from enquiries.services import enquiry_reply, enquiry_submit
from recipients.models import Notice
from records.services import disclosure_record
from retention.models import LegalHold
from scim.models import ScimIdentity, ScimToken
from security.models import BackupCodeDevice, InvestigationNote, LoginFingerprint, UserSession
from tests.archives import entry_rows
from tests.factories import (
    DpoFactory,
    InvestigationFactory,
    PasskeyFactory,
    UserFactory,
    api_key_for,
)
from tests.visible import internals_in, visible_text
from usage.models import (
    DailyUsage,
    DailyUserUsage,
    DeadLetter,
    ReportSubscription,
    TaskSession,
    UsageEvent,
    UsageExport,
)

pytestmark = pytest.mark.django_db

SUBJECT_IP = "198.51.100.77"
SUBJECT_EMAIL = "ann.able@client.example"
SUBJECT_NAME = "Ann Zebedee-Able"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def seed_subject(*, kind=RequestKind.ACCESS, dpo=None):
    """GIVEN a person with a row in every data-map entry we can create, and a verified request
    of ``kind`` from them, matched to their account. Returns (user, request, dpo)."""
    dpo = dpo or DpoFactory()
    user = UserFactory(
        email=SUBJECT_EMAIL, full_name=SUBJECT_NAME, job_title='=HYPERLINK("http://x")'
    )
    now = timezone.now()
    TOTPDevice.objects.create(user=user, name="Ann's phone", confirmed=True)
    BackupCodeDevice.objects.create(user=user, name="backup", confirmed=True)
    passkey = PasskeyFactory(user=user, name="Ann's laptop")
    WebAuthnAttestation.objects.create(
        credential=passkey, fmt="none", data=b"attestation", client_data_json=b"{}"
    )
    WebAuthnUserHandle.get_handle_for_user(user)
    Invitation.objects.create(
        user=user, nonce="n" * 43, expires_at=now + datetime.timedelta(days=3), accepted_at=now
    )
    EmailChange.objects.create(
        user=user,
        old_email="ann.old@client.example",
        new_email=SUBJECT_EMAIL,
        nonce="e" * 43,
        expires_at=now + datetime.timedelta(days=1),
        confirmed_at=now,
    )
    UserSession.objects.create(
        user=user, session_key="k" * 40, ip_address=SUBJECT_IP, device="Firefox on Linux"
    )
    LoginFingerprint.objects.create(user=user, fingerprint="f" * 64)
    axes = {"ip_address": SUBJECT_IP, "user_agent": "Firefox", "username": SUBJECT_EMAIL}
    axes_extra = {"http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(
        **axes, **axes_extra, get_data="", post_data="", failures_since_start=1
    )
    AccessFailureLog.objects.create(**axes, **axes_extra)
    AccessLog.objects.create(**axes, **axes_extra)
    investigation = InvestigationFactory(user=user, ip_address=SUBJECT_IP)
    InvestigationNote.objects.create(
        investigation=investigation, author=dpo, text=f"Spoke to {SUBJECT_NAME}."
    )
    breach_open(
        by=dpo,
        title="Credentials in a paste",
        aware_at=now,
        description=f"{SUBJECT_NAME}'s login was in the paste.",
        investigation=investigation,
    )
    api_key_for(user.organisation, name="Ann's integration", created_by=user)
    ScimToken.objects.create_key(organisation=user.organisation, name="Entra ID", created_by=user)
    ScimIdentity.objects.create(user=user, external_id="ann-object-id", given_name="Ann")
    LogEntry.objects.create(user=user, action_flag=1, object_repr="a thing", change_message="")
    communication_preferences_update(
        user=user, newsletter=True, webinars=False, product_updates=True
    )
    PurposeObjection.objects.create(user=user, purpose=Purpose.MARKETING, upheld_by=dpo)
    UsageEvent.objects.create(
        occurred_at=now,
        organisation=user.organisation,
        user=user,
        ip_address=SUBJECT_IP,
        action="page_view",
        feature="reports",
        path="-2+3",
        status_code=200,
        duration_ms=12,
    )
    DailyUsage.objects.create(
        date=now.date(),
        organisation=user.organisation,
        user=user,
        feature="reports",
        event_count=1,
        total_duration_ms=12,
        first_seen=now,
        last_seen=now,
    )
    DailyUserUsage.objects.create(
        date=now.date(),
        organisation=user.organisation,
        user=user,
        event_count=1,
        total_duration_ms=12,
    )
    TaskSession.objects.create(
        date=now.date(),
        organisation=user.organisation,
        user=user,
        feature="reports",
        started_at=now,
        event_count=1,
        duration_ms=30_000,
    )
    DeadLetter.objects.create(
        source="direct",
        reason="DataError: value too long",
        organisation=user.organisation,
        user=user,
        payload='{"action": "page_view"}',
    )
    subscription = ReportSubscription.objects.create(
        organisation=user.organisation, cadence="weekly", grouping="user", created_by=user
    )
    subscription.recipients.create(user=user)
    delivery = subscription.deliveries.create(
        organisation=user.organisation,
        period_start=now.date() - datetime.timedelta(days=7),
        period_end=now.date() - datetime.timedelta(days=1),
        grouping="user",
    )
    delivery.subjects.create(user=user)
    delivery.recipients.create(user=user, emailed_at=now)
    UsageExport.objects.create(
        organisation=user.organisation,
        requested_by=user,
        start=now.date(),
        end=now.date(),
        grouping="user",
    )
    disclosure_record(
        recipient_type="client",
        recipient=user.organisation.name,
        legal_basis="Legitimate interests",
        categories=["usage"],
        description="Monthly usage report",
        subject_user_ids=[user.pk],
        organisation=user.organisation,
        by=dpo,
    )
    disclosure_record(
        recipient_type="client",
        recipient=user.organisation.name,
        legal_basis="Legitimate interests",
        categories=["usage"],
        description="Usage report Ann downloaded",
        subject_user_ids=[],
        organisation=user.organisation,
        by=user,
    )
    audit.record(dpo, "user.view", target=user)
    notice = Notice.objects.create(
        event="subject.rectified",
        kind="client",
        recipient_label=user.organisation.name,
        organisation=user.organisation,
        subject=user,
        subject_email=SUBJECT_EMAIL,
        request_reference="R-EARLIER",
    )
    notice.deliveries.create(
        message_id="msg_seed", status="delivered", next_attempt_at=now, created_at=now
    )
    LegalHold.objects.create(
        user=user, reason="A claim, since settled", placed_by=dpo, placed_at=now, released_at=now
    )
    MarketingDelivery.objects.create(
        send=MarketingSend.objects.create(key="seed", topic="newsletter", subject="News"),
        user=user,
    )
    NoticeChangeEmail.objects.create(
        version=PolicyVersion.objects.get(kind="privacy", number=1), user=user
    )
    enquiry = enquiry_submit(
        name=SUBJECT_NAME, email=SUBJECT_EMAIL, subject="Help", message="Hi", user=user
    )
    enquiry_reply(enquiry=enquiry, body="Answer", by=dpo)
    consent_record_create(
        visitor_id="seed",
        user=user,
        accepted={"performance"},
        declined={"functionality"},
        policy_version=1,
        method="banner",
    )
    earlier = rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name=SUBJECT_NAME,
        requester_email=SUBJECT_EMAIL,
        channel=Channel.EMAIL,
        filed_by=dpo,
        verified=True,
    )
    old = AccessPackage.objects.create(
        request=earlier,
        file_name="old.zip",
        sha256="0" * 64,
        created_at=now - datetime.timedelta(days=30),
        expires_at=now - datetime.timedelta(days=23),
    )
    PackageDownload.objects.create(package=old, ip_address=SUBJECT_IP)
    request = rights_request_file(
        kind=kind,
        requester_name=SUBJECT_NAME,
        requester_email=SUBJECT_EMAIL,
        channel=Channel.EMAIL,
        description="Everything you hold on me, please.",
        filed_by=dpo,
        verified=True,
    )
    rights_request_confirm_subject(request=request, user=user, by=dpo)
    RectificationItem.objects.create(request=request, field="job_title", proposed_value="Analyst")
    return user, request, dpo


def build(client, request, dpo, verified_client, django_capture_on_commit_callbacks):
    verified_client(dpo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("executors:build_package", kwargs={"reference": request.reference})
        )
    assert response.status_code == 302
    return AccessPackage.objects.get(request=request)


def test_the_package_holds_every_entry_in_a_csv_of_its_own_described_by_data_json(
    client, verified_client, django_capture_on_commit_callbacks
):
    _user, request, dpo = seed_subject()
    package = build(client, request, dpo, verified_client, django_capture_on_commit_callbacks)

    archive = zipfile.ZipFile(package_open(package))
    data = json.loads(archive.read("data.json"))
    by_name = {entry["name"]: entry for entry in data["entries"]}
    files = {entry["file"] for entry in data["entries"]}
    assert len(files) == len(registry.entries())
    assert set(archive.namelist()) == {"data.json", "index.html"} | files
    assert by_name["usage.events"]["file"] == "usage-events.csv"
    assert by_name["accounts.accesslog"]["file"] == "logins.csv"
    assert set(by_name) == {entry.name for entry in registry.entries()}
    for entry in registry.entries():
        shown = by_name[entry.name]
        assert shown["category"] == entry.category
        assert shown["legal_basis"] == entry.legal_basis.label
        assert shown["retention_category"] == entry.retention_category
        assert shown["description"] == entry.description
        assert shown["fields"] == list(entry.export_fields)
        assert shown["columns"] == [entry.labels[f] for f in entry.export_fields]
        # Each entry's rows are in its file, once, as many as data.json says.
        assert len(entry_rows(archive, entry.name)) == shown["row_count"], entry.name
    # Every category present holds the subject's rows, not just empty sections.
    empty = {name for name, entry in by_name.items() if not entry["row_count"]}
    assert empty == set(), f"entries without rows for the seeded subject: {sorted(empty)}"
    assert entry_rows(archive, "accounts.contact")[0]["email"] == SUBJECT_EMAIL
    assert entry_rows(archive, "usage.events")[0]["ip_address"] == SUBJECT_IP
    assert entry_rows(archive, "audit.disclosures_about")[0]["disclosure__description"] == (
        "Monthly usage report"
    )
    assert request.reference in {row["reference"] for row in entry_rows(archive, "dsar.requests")}
    # What erasure would keep carries its reason; the rest says what erasure does.
    assert by_name["dsar.requests"]["kept_reason"]
    assert not by_name["audit.trail"]["kept_reason"]
    assert by_name["audit.trail"]["erasure"] == "Personal details removed, events kept"
    assert not by_name["usage.events"]["kept_reason"]
    assert by_name["usage.events"]["erasure"].startswith("Anonymised")

    for name in files:
        rows = list(csv.reader(io.StringIO(archive.read(name).decode())))
        assert len(rows) > 1, f"{name} has no rows"
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    contact = archive.read("contact-details.csv").decode()
    assert contact.splitlines()[0] == "E-mail address,Name,Job title,Employer,Role"
    assert "'=HYPERLINK" in contact
    usage = archive.read("usage-events.csv").decode()
    assert usage.splitlines()[0] == (
        "When,Action,Feature,Page,Response code,Time taken (ms),Purpose,IP address,Browser"
    )
    assert "'-2+3" in usage

    index = archive.read("index.html").decode()
    for needed in [
        "Information Commissioner",
        "Microsoft 365",
        "UK adequacy regulations",
        "Automated decision-making",
        "provisionally",
        "Monthly usage report",
        "Your employer",
        "Kept while your account is open, then 180 days after it ends",
        "Kept 90 days after it was recorded",
        "usage-events.csv",
        "Type of recipient",
        "rectification",
    ]:
        assert needed in index, needed
    for internal in ["Retention category", "security_logs", "usage.events", "<td>regulator<"]:
        assert internal not in index, internal
    # File names are meant to be read; nothing else in the stored form is.
    leaks = internals_in(visible_text(index))
    assert [leak for leak in leaks if not leak.endswith((".csv", ".json"))] == []

    assert package.sha256 and len(package.sha256) == 64
    assert package.size == package_storage().size(package_storage_name(package))
    assert package.expires_at - package.created_at == datetime.timedelta(days=7)
    assert RequestEvent.objects.filter(request=request, body__contains="copy of your data").exists()
    assert AuditEntry.objects.filter(action="rights_request.package_build").exists()


@pytest.mark.postgres
def test_on_postgresql_copy_writes_each_entry_as_the_orm_path_does(requires_postgres):
    """The fast path (one COPY per entry) and the portable path (ORM rows, Python's csv) give
    the same cells for every entry of a subject who has rows everywhere."""
    _user, request, _dpo = seed_subject()
    subject = request_subject(request)
    for entry in registry.entries():
        columns = list(entry.export_fields)
        fast, portable = io.BytesIO(), io.BytesIO()
        n_fast = copy_rows(entry, subject, fast, columns)
        n_portable = _python_rows(entry, subject, portable, columns, _Build())

        def rows(buffer):
            return sorted(csv.reader(io.StringIO(buffer.getvalue().decode())))

        assert n_fast == n_portable, entry.name
        assert rows(fast) == rows(portable), entry.name


def test_building_twice_keeps_one_live_package(
    client, verified_client, django_capture_on_commit_callbacks
):
    _user, request, dpo = seed_subject()
    first = build(client, request, dpo, verified_client, django_capture_on_commit_callbacks)
    again = access_package_build(request=request, by=dpo)
    assert again.pk == first.pk
    assert AccessPackage.objects.filter(request=request).count() == 1


def _code_from(mailoutbox) -> str:
    return re.search(r"is:\s+(\d{6})\s", mailoutbox[-1].body).group(1)


def test_the_requester_downloads_with_the_emailed_code_and_the_download_is_recorded(
    client, verified_client, django_capture_on_commit_callbacks, mailoutbox
):
    _user, request, dpo = seed_subject()
    package = build(client, request, dpo, verified_client, django_capture_on_commit_callbacks)
    client.logout()
    token = status_token(request)
    kwargs = {"token": token, "package_id": package.pk}

    status = client.get(reverse("rights:status", kwargs={"token": token}))
    assert b"E-mail me a download code" in status.content
    # Without a code the download sends the requester to the code page.
    response = client.get(reverse("rights:package_download", kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"] == reverse("rights:package_unlock", kwargs=kwargs)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rights:package_code", kwargs=kwargs))
    assert mailoutbox[-1].to == [SUBJECT_EMAIL]
    code = _code_from(mailoutbox)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(reverse("rights:package_unlock", kwargs=kwargs), {"code": wrong})
    assert refused.status_code == 400
    assert b"4 tries left" in refused.content
    # The error opens the page, as a link to the code's input, and is read with the input.
    assert b"There is a problem" in refused.content
    assert b'<a href="#id_code">' in refused.content
    assert b'aria-describedby="id_code_error"' in refused.content

    unlocked = client.post(
        reverse("rights:package_unlock", kwargs=kwargs), {"code": code}, REMOTE_ADDR="192.0.2.9"
    )
    assert unlocked.status_code == 302
    download = client.get(unlocked["Location"], REMOTE_ADDR="192.0.2.9")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    assert PackageDownload.objects.get(package=package).ip_address == "192.0.2.9"
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.DOWNLOAD).exists()
    assert AuditEntry.objects.filter(action="rights_request.package_download").exists()
    # The code is spent: a second try with it is refused.
    again = client.post(reverse("rights:package_unlock", kwargs=kwargs), {"code": code})
    assert again.status_code == 400


def test_five_wrong_codes_spend_the_code(
    client, verified_client, django_capture_on_commit_callbacks, mailoutbox
):
    _user, request, dpo = seed_subject()
    package = build(client, request, dpo, verified_client, django_capture_on_commit_callbacks)
    client.logout()
    kwargs = {"token": status_token(request), "package_id": package.pk}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rights:package_code", kwargs=kwargs))
    code = _code_from(mailoutbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("rights:package_unlock", kwargs=kwargs), {"code": wrong})
    response = client.post(reverse("rights:package_unlock", kwargs=kwargs), {"code": code})
    assert response.status_code == 400
    assert not PackageDownload.objects.filter(package=package).exists()


def test_an_expired_package_is_refused_with_a_clear_page(
    client, verified_client, django_capture_on_commit_callbacks
):
    _user, request, dpo = seed_subject()
    package = build(client, request, dpo, verified_client, django_capture_on_commit_callbacks)
    AccessPackage.objects.filter(pk=package.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.logout()
    kwargs = {"token": status_token(request), "package_id": package.pk}
    for response in [
        client.post(reverse("rights:package_code", kwargs=kwargs)),
        client.get(reverse("rights:package_unlock", kwargs=kwargs)),
        client.get(reverse("rights:package_download", kwargs=kwargs)),
    ]:
        assert response.status_code == 410
        assert b"This download has expired" in response.content
    assert not PackageDownload.objects.filter(package=package).exists()


def test_a_package_of_another_request_is_not_found(
    client, verified_client, django_capture_on_commit_callbacks
):
    _user, request, dpo = seed_subject()
    package = build(client, request, dpo, verified_client, django_capture_on_commit_callbacks)
    other = rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Bob",
        requester_email="bob@example.test",
        channel=Channel.EMAIL,
        filed_by=dpo,
        verified=True,
    )
    kwargs = {"token": status_token(other), "package_id": package.pk}
    assert client.get(reverse("rights:package_unlock", kwargs=kwargs)).status_code == 404


def test_the_panel_is_for_the_privacy_team_only(client, verified_client):
    _user, request, _dpo = seed_subject()
    verified_client(UserFactory())
    response = client.post(
        reverse("executors:build_package", kwargs={"reference": request.reference})
    )
    assert response.status_code == 403
    assert not AccessPackage.objects.filter(request=request).exists()


def test_a_requester_with_no_account_gets_a_package_of_their_request_alone(settings, tmp_path):
    # Regression: on PostgreSQL an entry that finds nobody (no user id to match) once failed
    # to build its COPY query.
    settings.MEDIA_ROOT = tmp_path
    request = rights_request_file(
        kind="access",
        requester_name="Pat Public",
        requester_email="pat@example.test",
        channel="web_form",
        verified=True,
    )
    package = access_package_build(request=request, by=DpoFactory())
    with zipfile.ZipFile(package_open(package)) as archive:
        assert [row["requester_name"] for row in entry_rows(archive, "dsar.requests")] == [
            "Pat Public"
        ]
