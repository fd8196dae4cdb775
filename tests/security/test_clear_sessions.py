"""clearsessions on beat: expired sessions go, live ones stay."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from security.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def test_clearing_sessions_deletes_only_the_expired_ones(settings):
    assert settings.CELERY_BEAT_SCHEDULE["clear-sessions"]["task"] == clear_expired_sessions.name
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    clear_expired_sessions.delay()
    clear_expired_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
