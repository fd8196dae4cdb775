from celery import shared_task

from recipients.delivery import deliveries_due, webhook_delivery_attempt


@shared_task
def deliver_webhook(delivery_id: int) -> str | None:
    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def deliver_due_webhooks() -> int:
    """Beat's sweep: the retries whose time has come."""
    due = deliveries_due()
    for delivery_id in due:
        webhook_delivery_attempt(delivery_id=delivery_id)
    return len(due)
