"""Access packages' files live in the packages storage, which every process reaches: the
worker's file is the file the web serves, and no expired or erased package leaves one behind."""

import datetime
import hashlib
import io
import zipfile

import pytest
from celery.result import EagerResult
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from dsar.executors import access
from dsar.executors.access import access_package_build
from dsar.executors.erasure import erasure_run
from dsar.executors.package_files import (
    PACKAGE_FOLDER,
    package_open,
    package_storage,
    package_storage_name,
)
from dsar.models import AccessPackage, RequestKind
from dsar.selectors import status_token
from dsar.tasks import build_access_package, delete_expired_packages
from tests.dsar.test_access_package import _code_from, seed_subject
from tests.workers import QUEUE, stop, worker_env, worker_start, worker_wait

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def files_left() -> list[str]:
    storage = package_storage()
    if not storage.exists(PACKAGE_FOLDER):
        return []
    return storage.listdir(PACKAGE_FOLDER)[1]


def test_a_package_is_kept_in_the_packages_storage_under_media_root(tmp_path):
    _user, request, dpo = seed_subject()
    package = access_package_build(request=request, by=dpo)

    assert (tmp_path / "media" / "packages" / package.file_name).is_file()
    assert files_left() == [package.file_name]
    assert package.size == package_storage().size(package_storage_name(package))
    with package_open(package) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == package.sha256


def test_the_packages_storage_names_a_bucket_only_when_configured():
    # Without FILES_S3_BUCKET (the tests, the embedded mode) files stay on the file system.
    assert django_settings.STORAGES["packages"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )


def test_a_build_that_fails_leaves_no_file_behind(monkeypatch):
    _user, request, dpo = seed_subject()

    def refuse(*args, **kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(access.audit, "record", refuse)
    with pytest.raises(RuntimeError):
        access_package_build(request=request, by=dpo)

    assert not AccessPackage.objects.filter(request=request).exists()
    assert files_left() == []


def test_the_beat_task_deletes_expired_package_files_and_keeps_their_records():
    _user, request, dpo = seed_subject()
    expired = access_package_build(request=request, by=dpo)
    AccessPackage.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    live = access_package_build(request=request, by=dpo)
    assert live.pk != expired.pk

    # seed_subject's earlier request has an expired package too, whose file was never made.
    waiting = AccessPackage.objects.filter(expires_at__lte=timezone.now(), deleted_at=None)
    assert waiting.count() == 2

    assert delete_expired_packages() == 2

    expired.refresh_from_db()
    assert expired.deleted_at is not None
    assert files_left() == [live.file_name]
    with pytest.raises(FileNotFoundError):
        package_open(expired)
    # Idempotent: a second run finds nothing to delete and changes nothing.
    assert delete_expired_packages() == 0
    assert AccessPackage.objects.filter(request=request).count() == 2
    assert not waiting.exists()


def test_the_beat_schedule_deletes_expired_packages_hourly_and_expires_before_the_next_run():
    entry = django_settings.CELERY_BEAT_SCHEDULE["dsar-delete-expired-packages"]
    assert entry["task"] == "dsar.tasks.delete_expired_packages"
    assert entry["options"]["expires"] < 60 * 60


def test_an_expired_package_whose_file_is_gone_answers_expired(
    client, django_capture_on_commit_callbacks
):
    _user, request, dpo = seed_subject()
    package = access_package_build(request=request, by=dpo)
    AccessPackage.objects.filter(pk=package.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    delete_expired_packages()
    kwargs = {"token": status_token(request), "package_id": package.pk}

    response = client.get(reverse("rights:package_download", kwargs=kwargs))

    assert response.status_code == 410


def test_erasure_deletes_every_package_file_of_the_subject(django_capture_on_commit_callbacks):
    _user, request, dpo = seed_subject(kind=RequestKind.ERASURE)
    package = access_package_build(request=request, by=dpo)
    assert files_left() == [package.file_name]

    with django_capture_on_commit_callbacks(execute=True):
        erasure_run(request=request, terminate_account=True, by=dpo)

    assert files_left() == []
    package.refresh_from_db()
    assert package.deleted_at is not None


@pytest.mark.celery_worker
def test_a_package_built_by_a_worker_process_is_downloaded_through_the_web(
    transactional_db, redis_url, tmp_path, settings, client, mailoutbox
):
    """GIVEN a real worker in another process, with its own working and var directories, that
    shares only MEDIA_ROOT (the compose volume) with the web
    WHEN it builds a request's package
    THEN the requester downloads that very file through the web."""
    shared = tmp_path / "shared-media"
    settings.MEDIA_ROOT = shared
    worker_cwd = tmp_path / "worker-cwd"
    worker_cwd.mkdir()
    _user, request, dpo = seed_subject()
    env = worker_env(redis_url=redis_url, var_dir=tmp_path / "worker-var", MEDIA_ROOT=str(shared))
    log_path = tmp_path / "worker.log"
    worker = worker_start(env=env, cwd=worker_cwd, log_path=log_path)
    previous_eager = celery_app.conf.task_always_eager
    try:
        celery_app.conf.task_always_eager = False
        result = build_access_package.apply_async(args=[request.pk, dpo.pk], queue=QUEUE)
        assert not isinstance(result, EagerResult)
        worker_wait(result, worker, log_path)
    finally:
        celery_app.conf.task_always_eager = previous_eager
        stop(worker)

    package = AccessPackage.objects.get(request=request)
    assert (shared / "packages" / package.file_name).is_file()
    kwargs = {"token": status_token(request), "package_id": package.pk}
    client.post(reverse("rights:package_code", kwargs=kwargs))
    unlocked = client.post(
        reverse("rights:package_unlock", kwargs=kwargs), {"code": _code_from(mailoutbox)}
    )
    download = client.get(unlocked["Location"])

    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == package.sha256
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
