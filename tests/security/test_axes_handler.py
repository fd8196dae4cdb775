"""django-axes' records at a successful login (security.axes_handler): the login is logged, this
person's failed attempts and everyone's expired ones are deleted, in one statement."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import TEST_PASSWORD, UserFactory
from tests.security.test_login import attempt, fail

pytestmark = pytest.mark.django_db

IP = "198.51.100.7"


def test_a_login_clears_its_own_failures_here_and_expired_ones_and_keeps_the_rest():
    person, other, long_ago = UserFactory(), UserFactory(), UserFactory()
    client = Client()
    fail(client, person.email, 2)
    fail(client, person.email, 1, ip="203.0.113.9")  # the same person, elsewhere
    fail(client, other.email, 2)
    fail(client, long_ago.email, 1)
    AccessAttempt.objects.filter(username=long_ago.email).update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )

    with CaptureQueriesContext(connection) as queries:
        assert attempt(client, person.email, TEST_PASSWORD).status_code == 302

    remaining = set(AccessAttempt.objects.values_list("username", "ip_address"))
    assert remaining == {(person.email, "203.0.113.9"), (other.email, IP)}
    assert AccessLog.objects.filter(username=person.email, ip_address=IP).count() == 1
    on_attempts = [
        query["sql"].split()[0]
        for query in queries.captured_queries
        if '"axes_accessattempt"' in query["sql"]
    ]
    assert on_attempts == ["SELECT", "DELETE"]  # the lockout check, then the clean-up
