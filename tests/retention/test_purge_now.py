import pytest

from audit.models import AuditEntry
from retention.models import PurgeRun
from tests.factories import TEST_PASSWORD, DpoFactory, SupportFactory

pytestmark = pytest.mark.django_db

URL = "/backoffice/retention/policies/security_logs/purge/"


def test_purging_now_asks_for_the_password_again(
    verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(DpoFactory())
    assert client.get(URL).status_code == 200

    for password in ("", "not my password"):
        response = client.post(URL, {"password": password})
        assert response.status_code == 400
    assert not PurgeRun.objects.filter(category="security_logs", dry_run=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert PurgeRun.objects.filter(category="security_logs", dry_run=False).exists()
    assert AuditEntry.objects.filter(action="retention.purge_request").exists()


def test_support_cannot_purge(verified_client):
    client = verified_client(SupportFactory())
    assert client.post(URL, {"password": TEST_PASSWORD}).status_code == 403
