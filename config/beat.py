"""Celery beat's schedule (settings.CELERY_BEAT_SCHEDULE): every periodic task.

Each entry expires before its next run, so a backlog never runs twice.
"""

from celery.schedules import crontab

from retention.defaults import DEFAULT_POLICIES, purge_time

BEAT_SCHEDULE = {
    "audit-verify-chain": {
        "task": "audit.tasks.verify_audit_chain",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 60 * 60 * 20},
    },
    "recipients-deliver-webhooks": {
        "task": "recipients.tasks.deliver_due_webhooks",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    "usage-drain-buffer": {
        "task": "usage.tasks.drain_usage_buffer",
        "schedule": 5.0,
        "options": {"expires": 5},
    },
    "usage-rollup": {
        "task": "usage.tasks.rollup_usage",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 60 * 14},
    },
    "usage-partitions": {
        "task": "usage.tasks.ensure_usage_partitions",
        "schedule": crontab(hour=2, minute=5),
        "options": {"expires": 60 * 60 * 20},
    },
    "dsar-due-alerts": {
        "task": "dsar.tasks.send_due_alerts",
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 60 * 60 * 20},
    },
    # Hourly: each complaint's alert goes once, so the hour a date passes is soon enough.
    "dsar-complaint-alerts": {
        "task": "dsar.tasks.send_complaint_alerts",
        "schedule": crontab(minute=25),
        "options": {"expires": 60 * 50},
    },
    "dsar-delete-expired-packages": {
        "task": "dsar.tasks.delete_expired_packages",
        "schedule": crontab(minute=40),
        "options": {"expires": 60 * 50},
    },
    "dsar-close-unverified": {
        "task": "dsar.tasks.close_unverified_requests",
        "schedule": crontab(hour=4, minute=10),
        "options": {"expires": 60 * 60 * 20},
    },
    "breach-clock-alerts": {
        "task": "breaches.tasks.send_breach_alerts",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 60 * 14},
    },
    "clear-sessions": {
        "task": "security.tasks.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=10),
        "options": {"expires": 60 * 60 * 20},
    },
    "invitations-expire": {
        "task": "accounts.tasks.expire_invitations",
        "schedule": crontab(minute=20),
        "options": {"expires": 60 * 50},
    },
    "suspension-alerts": {
        "task": "security.tasks.send_suspension_alerts",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 60 * 14},
    },
    # At :35, after the rollups of :15 and :30 have summed the day a period closed on.
    "usage-deliver-reports": {
        "task": "usage.tasks.deliver_usage_reports",
        "schedule": crontab(minute=35),
        "options": {"expires": 60 * 50},
    },
    "usage-delete-expired-exports": {
        "task": "usage.tasks.delete_expired_usage_exports",
        "schedule": crontab(minute=50),
        "options": {"expires": 60 * 50},
    },
    "backups-nightly": {
        "task": "backups.tasks.take_nightly_backup",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 60 * 60 * 20},
    },
    "sso-refresh-saml-metadata": {
        "task": "sso.tasks.refresh_saml_metadata",
        "schedule": crontab(hour=5, minute=20),
        "options": {"expires": 60 * 60 * 20},
    },
    # After the nightly audit verification (03:15) and the backups of the night.
    "security-self-check": {
        "task": "security.tasks.run_security_self_check",
        "schedule": crontab(hour=6, minute=45),
        "options": {"expires": 60 * 60 * 20},
    },
}
# One nightly purge per retention category (retention/defaults.py lists them all), a few
# minutes apart from 01:00; a category with no policy yet is skipped by the task.
for number, policy in enumerate(DEFAULT_POLICIES):
    hour, minute = purge_time(number)
    BEAT_SCHEDULE[f"retention-purge-{policy.category}"] = {
        "task": "retention.tasks.purge_retention_category",
        "schedule": crontab(hour=hour, minute=minute),
        "args": [policy.category],
        "options": {"expires": 60 * 60 * 20},
    }
