"""Celery beat's schedule (settings.CELERY_BEAT_SCHEDULE): every periodic task.

Each entry expires before its next run, so a backlog never runs twice.
"""

from celery.schedules import crontab

from retention.defaults import DEFAULT_POLICIES, purge_time

# How long a run may wait for a worker before it is dropped: less than the time to the next.
DAILY = 60 * 60 * 20
HOURLY = 60 * 50
QUARTER_HOURLY = 60 * 14


def every(task: str, schedule, expires: float, **entry) -> dict:
    """A beat entry: ``task`` on ``schedule``, dropped if not started within ``expires`` s."""
    return {"task": task, "schedule": schedule, "options": {"expires": expires}, **entry}


BEAT_SCHEDULE = {
    "audit-verify-chain": every(
        "audit.tasks.verify_audit_chain", crontab(hour=3, minute=15), DAILY
    ),
    "recipients-deliver-webhooks": every("recipients.tasks.deliver_due_webhooks", 30.0, 30),
    "usage-drain-buffer": every("usage.tasks.drain_usage_buffer", 5.0, 5),
    "usage-rollup": every("usage.tasks.rollup_usage", crontab(minute="*/15"), QUARTER_HOURLY),
    "usage-partitions": every(
        "usage.tasks.ensure_usage_partitions", crontab(hour=2, minute=5), DAILY
    ),
    "dsar-due-alerts": every("dsar.tasks.send_due_alerts", crontab(hour=7, minute=30), DAILY),
    # Hourly: each complaint's alert goes once, so the hour a date passes is soon enough.
    "dsar-complaint-alerts": every("dsar.tasks.send_complaint_alerts", crontab(minute=25), HOURLY),
    "dsar-delete-expired-packages": every(
        "dsar.tasks.delete_expired_packages", crontab(minute=40), HOURLY
    ),
    "dsar-close-unverified": every(
        "dsar.tasks.close_unverified_requests", crontab(hour=4, minute=10), DAILY
    ),
    "breach-clock-alerts": every(
        "breaches.tasks.send_breach_alerts", crontab(minute="*/15"), QUARTER_HOURLY
    ),
    "clear-sessions": every(
        "security.tasks.clear_expired_sessions", crontab(hour=4, minute=10), DAILY
    ),
    "invitations-expire": every("accounts.tasks.expire_invitations", crontab(minute=20), HOURLY),
    "suspension-alerts": every(
        "security.tasks.send_suspension_alerts", crontab(minute="*/15"), QUARTER_HOURLY
    ),
    # At :35, after the rollups of :15 and :30 have summed the day a period closed on.
    "usage-deliver-reports": every("usage.tasks.deliver_usage_reports", crontab(minute=35), HOURLY),
    "usage-delete-expired-exports": every(
        "usage.tasks.delete_expired_usage_exports", crontab(minute=50), HOURLY
    ),
    "backups-nightly": every(
        "backups.tasks.take_nightly_backup", crontab(hour=2, minute=30), DAILY
    ),
    "sso-refresh-saml-metadata": every(
        "sso.tasks.refresh_saml_metadata", crontab(hour=5, minute=20), DAILY
    ),
    # After the nightly audit verification (03:15) and the backups of the night.
    "security-self-check": every(
        "security.tasks.run_security_self_check", crontab(hour=6, minute=45), DAILY
    ),
}
# One nightly purge per retention category (retention/defaults.py lists them all), a few
# minutes apart from 01:00; a category with no policy yet is skipped by the task.
for number, policy in enumerate(DEFAULT_POLICIES):
    hour, minute = purge_time(number)
    BEAT_SCHEDULE[f"retention-purge-{policy.category}"] = every(
        "retention.tasks.purge_retention_category",
        crontab(hour=hour, minute=minute),
        DAILY,
        args=[policy.category],
    )
