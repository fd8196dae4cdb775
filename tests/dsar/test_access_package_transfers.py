"""The access package's recipients and transfers sections are written from the processor
register: the providers that received the person's kinds of data, and any transfer abroad with
its safeguard; "not transferred abroad" only when that is true."""

import zipfile

import pytest

from dsar.executors.access import access_package_build
from dsar.executors.package_files import package_open
from dsar.services.filing import rights_request_file
from records.models import Processor
from tests.factories import DpoFactory
from tests.visible import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def package_index() -> str:
    """The index of a package for a requester with no account: what we hold on them is their
    request (contact details and the request itself)."""
    request = rights_request_file(
        kind="access",
        requester_name="Pat Public",
        requester_email="pat@example.test",
        channel="web_form",
        verified=True,
    )
    package = access_package_build(request=request, by=DpoFactory())
    with zipfile.ZipFile(package_open(package)) as archive:
        return visible_text(archive.read("index.html").decode())


def test_a_provider_backing_up_the_persons_data_abroad_is_listed_with_its_safeguard():
    index = package_index()

    assert "Microsoft 365" in index
    assert "Ireland: UK adequacy regulations, 1 January 2021" in index
    assert "Netherlands: UK adequacy regulations, 1 January 2021" in index
    assert "not transferred abroad" not in index
    # The hosting provider holds every kind of data; it stays in the UK.
    assert "Cloud hosting provider" in index


def test_with_every_provider_in_the_uk_the_package_says_the_data_stays_in_the_uk():
    Processor.objects.filter(name="Microsoft 365").update(backup_countries=["GB"], transfers={})

    index = package_index()

    assert "UK only: your data is stored and processed in the United Kingdom" in index
    assert "adequacy" not in index


def test_a_provider_that_receives_none_of_the_persons_kinds_of_data_is_not_listed():
    Processor.objects.create(
        name="Analytics warehouse",
        service="Aggregates usage.",
        data_categories=["usage"],
        storage_countries=["US"],
        transfers={"US": {"safeguard": "idta", "date": "2025-01-01"}},
    )

    index = package_index()

    assert "Analytics warehouse" not in index
    assert "United States" not in index
