"""A usage CSV export is built by a worker, not inside the request: its progress shows on a
page that refreshes itself, the file is streamed from the exports storage for 24 hours to the
organisation's client admins only, then deleted, the record kept as expired."""

import datetime

import pytest
import time_machine
from celery.result import EagerResult
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from config.celery import app as celery_app
from records.models import Disclosure
from tests.factories import ClientAdminFactory, DpoFactory, UserFactory
from tests.usage.conftest import used_on
from tests.workers import QUEUE, stop, worker_env, worker_start, worker_wait
from usage.models import UsageExport
from usage.services import export_files as export_files_module
from usage.services.exports import usage_export_request
from usage.tasks import build_usage_export, delete_expired_usage_exports

pytestmark = pytest.mark.django_db

EXPORTS = "/console/usage/exports/"


def status_page(export) -> str:
    return f"{EXPORTS}{export.pk}/"


def download_of(export) -> str:
    return f"{EXPORTS}{export.pk}/download/"


@pytest.fixture
def acme(export_files):
    """GIVEN Acme's admin and two people who used the product today, one of whom has a name a
    spreadsheet would run as a formula."""
    admin = ClientAdminFactory(full_name="Ada Admin")
    ann = UserFactory(organisation=admin.organisation, full_name="Ann Able")
    mallory = UserFactory(organisation=admin.organisation, full_name="=HYPERLINK(1)")
    for user in (ann, mallory):
        used_on(user, timezone.localdate(), events=2)
    return admin


def test_the_report_button_requests_an_export_that_a_worker_builds(
    acme, verified_client, export_files, django_capture_on_commit_callbacks
):
    client = verified_client(acme)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORTS, {"start": today, "end": today, "group_by": "user"})

    export = UsageExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == status_page(export)
    assert (export.status, export.progress, export.rows) == ("ready", 100, 2)
    assert export.expires_at == export.ready_at + datetime.timedelta(hours=24)
    assert export_files() == [f"{acme.organisation_id}/export-{export.pk}.csv"]
    assert AuditEntry.objects.filter(action="usage_export.requested", target_id=export.pk).exists()

    page = client.get(status_page(export)).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f'href="{download_of(export)}"' in page

    download = client.get(download_of(export))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="usage-{today}-{today}-by-user.csv"'
    )
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert lines[0] == "group,key,events,minutes,active_days,users"
    assert any(line.startswith("Ann Able <") for line in lines)
    assert any(line.startswith("'=HYPERLINK(1) <") for line in lines)  # neutralised


def test_the_status_page_refreshes_itself_with_the_progress_while_building(acme, verified_client):
    today = timezone.localdate()
    export = UsageExport.objects.create(
        organisation=acme.organisation, requested_by=acme, start=today, end=today, grouping="day"
    )
    client = verified_client(acme)
    queued = client.get(status_page(export)).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in queued
    assert 'value="0"' in queued

    UsageExport.objects.filter(pk=export.pk).update(status="building", progress=40)
    building = client.get(status_page(export)).content.decode()
    assert '<progress max="100" value="40">' in building
    assert "Download CSV" not in building
    assert client.get(download_of(export)).status_code == 404  # not ready: nothing to stream


def test_the_build_records_its_progress_as_it_goes(acme, export_of, monkeypatch):
    seen = []
    record = export_files_module._progress

    def spy(export, progress):
        seen.append(UsageExport.objects.get(pk=export.pk).status)
        record(export, progress)
        seen.append(UsageExport.objects.get(pk=export.pk).progress)

    monkeypatch.setattr(export_files_module, "PROGRESS_EVERY_ROWS", 1)
    monkeypatch.setattr(export_files_module, "_progress", spy)
    export = export_of(acme)

    statuses, progress = seen[0::2], seen[1::2]
    assert set(statuses) == {"building"}
    assert progress == [10, 54, 99]  # the queries, then each of the two rows
    assert export.progress == 100


def test_a_second_build_of_the_same_export_does_nothing(acme, export_of, export_files):
    export = export_of(acme)
    assert build_usage_export.delay(export.pk).get() is False
    assert build_usage_export.delay(999_999).get() is False
    assert len(export_files()) == 1


def test_a_download_is_a_disclosure_and_audited(acme, export_of, verified_client):
    export = export_of(acme)
    assert not Disclosure.objects.exists()  # building it discloses nothing

    b"".join(verified_client(acme).get(download_of(export)).streaming_content)

    [disclosure] = Disclosure.objects.all()
    assert disclosure.organisation == acme.organisation
    assert "CSV export download" in disclosure.description
    assert disclosure.subject_count == 2
    assert AuditEntry.objects.filter(action="usage_export.downloaded").count() == 1


def test_after_24_hours_the_file_is_deleted_and_the_record_kept_as_expired(
    acme, export_of, export_files, verified_client
):
    export = export_of(acme)
    kept = export_of(acme, grouping="feature")
    UsageExport.objects.filter(pk=kept.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=2)
    )
    client = verified_client(acme)

    with time_machine.travel(export.expires_at + datetime.timedelta(seconds=1)):
        assert delete_expired_usage_exports.delay().get() == 1
        assert delete_expired_usage_exports.delay().get() == 0

    assert export_files() == [f"{acme.organisation_id}/export-{kept.pk}.csv"]
    export.refresh_from_db()
    assert export.status == "expired"
    assert AuditEntry.objects.filter(action="usage_export.expired").count() == 1
    assert client.get(download_of(export)).status_code == 404
    assert "has expired" in client.get(status_page(export)).content.decode()


def test_a_ready_export_past_its_expiry_is_not_downloaded(acme, export_of, verified_client):
    export = export_of(acme)
    UsageExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    response = verified_client(acme).get(download_of(export))
    assert response.status_code == 404
    assert "request a new one" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_a_build_that_fails_leaves_no_file_and_says_so(
    acme, export_of, export_files, verified_client, monkeypatch
):
    def broken(report):
        raise RuntimeError("the rollups were unreadable")

    monkeypatch.setattr(export_files_module, "report_csv_rows", broken)
    with pytest.raises(RuntimeError):
        export_of(acme)

    export = UsageExport.objects.get()
    assert (export.status, export.error) == ("failed", "RuntimeError")
    assert export_files() == []
    page = verified_client(acme).get(status_page(export)).content.decode()
    assert "could not be built" in page


def test_another_organisations_export_answers_404(acme, export_of, verified_client):
    export = export_of(acme)
    other = verified_client(ClientAdminFactory(), client=Client())
    assert other.get(status_page(export)).status_code == 404
    assert other.get(download_of(export)).status_code == 404
    assert EXPORTS not in other.get(EXPORTS).content.decode().split("Recent exports")[1]
    member = verified_client(UserFactory(organisation=acme.organisation), client=Client())
    assert member.get(download_of(export)).status_code == 403


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"start": "2026-11-10", "end": "2026-11-01", "group_by": "user"}, "must not be before"),
        ({"start": "2025-01-01", "end": "2026-11-01", "group_by": "user"}, "at most 366 days"),
        ({"start": "2026-11-01", "end": "2026-11-02", "group_by": "ip"}, "Select a valid choice"),
        ({"start": "yesterday", "end": "2026-11-02", "group_by": "user"}, "Enter a valid date"),
    ],
)
def test_bad_input_is_a_form_error_and_queues_nothing(acme, verified_client, data, error):
    response = verified_client(acme).post(EXPORTS, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not UsageExport.objects.exists()


def test_a_year_by_user_is_accepted(acme, verified_client, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    with django_capture_on_commit_callbacks(execute=True):
        verified_client(acme).post(EXPORTS, {"start": year_ago, "end": today, "group_by": "user"})
    export = UsageExport.objects.get()
    assert (export.status, export.rows) == ("ready", 2)


def test_the_exports_page_runs_a_fixed_number_of_queries(
    acme, export_of, verified_client, django_assert_num_queries
):
    for grouping in ("user", "feature", "day"):
        export_of(acme, grouping=grouping)
    client = verified_client(acme)
    client.get(EXPORTS)  # warm the per-process caches
    # The session, the user, their OTP device and their organisation (4); the organisations
    # whose reports it may export too (1); the latest exports with who asked for them and
    # whose report each is (1).
    with django_assert_num_queries(6):
        page = client.get(EXPORTS).content.decode()
    assert page.count(f'href="{EXPORTS}') == 3


@pytest.mark.celery_worker
def test_an_export_built_by_a_worker_process_is_downloaded_through_the_web(
    transactional_db, redis_url, tmp_path, settings, verified_client
):
    """GIVEN a real worker in another process and working directory, sharing only MEDIA_ROOT
    WHEN it builds an export
    THEN the client admin downloads that file through the web."""
    shared = tmp_path / "shared-media"
    settings.MEDIA_ROOT = shared
    worker_cwd = tmp_path / "worker-cwd"
    worker_cwd.mkdir()
    admin = ClientAdminFactory()
    used_on(
        UserFactory(organisation=admin.organisation, full_name="Ann Able"), timezone.localdate()
    )
    today = timezone.localdate()
    export = UsageExport.objects.create(
        organisation=admin.organisation, requested_by=admin, start=today, end=today, grouping="user"
    )
    env = worker_env(redis_url=redis_url, var_dir=tmp_path / "worker-var", MEDIA_ROOT=str(shared))
    log_path = tmp_path / "worker.log"
    worker = worker_start(env=env, cwd=worker_cwd, log_path=log_path)
    previous_eager = celery_app.conf.task_always_eager
    try:
        celery_app.conf.task_always_eager = False
        result = build_usage_export.apply_async(args=[export.pk], queue=QUEUE)
        assert not isinstance(result, EagerResult)
        assert worker_wait(result, worker, log_path) is True
    finally:
        celery_app.conf.task_always_eager = previous_eager
        stop(worker)

    export.refresh_from_db()
    assert export.status == "ready"
    assert (shared / export.file_name).is_file()
    body = b"".join(verified_client(admin).get(download_of(export)).streaming_content)
    assert b"Ann Able" in body


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"end": datetime.date(2026, 10, 1)}, "must not be before"),
        ({"start": datetime.date(2025, 11, 1)}, "at most 366 days"),
        ({"grouping": "ip_address"}, "not a valid choice"),
    ],
)
def test_the_service_refuses_a_bad_period_or_grouping(acme, fields, error):
    values = {
        "organisation": acme.organisation,
        "start": datetime.date(2026, 11, 1),
        "end": datetime.date(2026, 11, 30),
        "grouping": "user",
        "by": acme,
    }
    with pytest.raises(ValidationError, match=error):
        usage_export_request(**{**values, **fields})
    assert not UsageExport.objects.exists()


@pytest.mark.parametrize("who", ["member", "other_admin", "staff"])
def test_only_a_client_admin_of_the_organisation_requests_an_export(acme, who):
    by = {
        "member": UserFactory(organisation=acme.organisation),
        "other_admin": ClientAdminFactory(),
        "staff": DpoFactory(),
    }[who]
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        usage_export_request(
            organisation=acme.organisation, start=today, end=today, grouping="user", by=by
        )
    assert not UsageExport.objects.exists()
