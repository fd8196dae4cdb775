from importlib import import_module

from celery import shared_task
from django.conf import settings

from security.models import SecurityCheckRun
from security.services.self_check import security_self_check_run
from security.services.suspension_alerts import (
    suspension_alerts_send,
    suspension_opened_alert,
)


@shared_task
def clear_expired_sessions() -> None:
    """Daily: Django's clearsessions, through the configured session engine."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task
def alert_staff_of_suspension(investigation_id: int) -> bool:
    return suspension_opened_alert(investigation_id=investigation_id)


@shared_task
def send_suspension_alerts() -> int:
    """Every 15 minutes: reminders of provisional suspensions unreviewed at their review time,
    and any opening alert that was lost (idempotent)."""
    return suspension_alerts_send()


@shared_task
def run_security_self_check() -> str:
    """Daily: the security self-check; its result is kept and shown on the dashboard."""
    run = security_self_check_run(trigger=SecurityCheckRun.Trigger.SCHEDULE)
    return "passed" if run.passed else f"{len(run.failures)} failed"
