import pytest
from django.utils import timezone

from usage.buffer import buffer_drain
from usage.models import UsageEvent
from usage.services.export_files import EXPORT_FOLDER, export_storage
from usage.services.exports import usage_export_request


@pytest.fixture
def stored_events():
    """The events written so far, after draining the buffer as the beat task would."""

    def read(**filters):
        buffer_drain()
        return list(UsageEvent.objects.filter(**filters).order_by("id"))

    return read


@pytest.fixture
def export_files(settings, tmp_path):
    """Exports' files under a MEDIA_ROOT of the test's own; returns a function listing them."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def listed() -> list[str]:
        storage = export_storage()
        if not storage.exists(EXPORT_FOLDER):
            return []
        folders, _ = storage.listdir(EXPORT_FOLDER)
        return sorted(
            f"{folder}/{name}"
            for folder in folders
            for name in storage.listdir(f"{EXPORT_FOLDER}/{folder}")[1]
        )

    return listed


@pytest.fixture
def export_of(django_capture_on_commit_callbacks):
    """``export_of(admin, start=..., end=..., grouping=...)``: an export requested by ``admin``
    and built after the commit, as the worker would."""

    def request(admin, *, start=None, end=None, grouping="user"):
        today = timezone.localdate()
        with django_capture_on_commit_callbacks(execute=True):
            export = usage_export_request(
                organisation=admin.organisation,
                start=start or today,
                end=end or today,
                grouping=grouping,
                by=admin,
            )
        export.refresh_from_db()
        return export

    return request
