from celery import shared_task

from breaches.services.alerts import breach_alerts_send


@shared_task
def send_breach_alerts() -> int:
    """Every 15 minutes: alerts at 24 and 6 hours left and when overdue (idempotent)."""
    return breach_alerts_send()
