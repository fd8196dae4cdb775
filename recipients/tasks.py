from celery import shared_task

from recipients.delivery import (
    deliveries_due,
    processor_notice_email,
    webhook_delivery_attempt,
)


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


@shared_task
def email_processor_notice(notice_id: int) -> bool:
    return processor_notice_email(notice_id=notice_id)
