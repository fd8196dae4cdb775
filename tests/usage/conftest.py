import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.services.group_companies import group_company_add
from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory, UserFactory
from usage.buffer import buffer_drain
from usage.days import LONDON
from usage.models import UsageEvent
from usage.services.export_files import EXPORT_FOLDER, export_storage
from usage.services.exports import usage_export_request
from usage.services.rollups import usage_rollup_day


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


@dataclass
class Group:
    """Acme, its group company Sister, and Stranger, with their people."""

    acme: object
    ada: object  # Acme's client admin, who subscribes
    alan: object  # another of Acme's client admins
    ann: object  # an Acme member whose usage is reported
    sister: object
    sam: object  # Sister's client admin
    stranger: object
    stan: object  # Stranger's client admin


@pytest.fixture
def group() -> Group:
    acme = OrganisationFactory(name="Acme Ltd")
    sister = OrganisationFactory(name="Sister Ltd")
    stranger = OrganisationFactory(name="Stranger Ltd")
    people = Group(
        acme=acme,
        ada=ClientAdminFactory(organisation=acme, full_name="Ada Admin", email="ada@acme.test"),
        alan=ClientAdminFactory(organisation=acme, full_name="Alan Admin"),
        ann=UserFactory(organisation=acme, full_name="Ann Able", email="ann@acme.test"),
        sister=sister,
        sam=ClientAdminFactory(organisation=sister, full_name="Sam Sister"),
        stranger=stranger,
        stan=ClientAdminFactory(organisation=stranger, full_name="Stan Stranger"),
    )
    group_company_add(
        organisation=acme, member=sister, requested_on=datetime.date(2026, 11, 1), by=DpoFactory()
    )
    return people


def used_on(user, day: datetime.date, *, events: int = 3, feature: str = "reports") -> None:
    """``events`` events of ``user`` at noon UK time on ``day``, rolled up."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)
    UsageEvent.objects.bulk_create(
        UsageEvent(
            occurred_at=moment,
            organisation_id=user.organisation_id,
            user=user,
            action="page_view",
            feature=feature,
            duration_ms=60_000,
        )
        for _ in range(events)
    )
    usage_rollup_day(day=day)
