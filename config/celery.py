"""The Celery app. With REDIS_URL set it uses Redis; without it, tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("privacydesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
