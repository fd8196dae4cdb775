from celery import shared_task

from cookies.models import PolicyVersion
from cookies.notice.emails import notice_change_send


@shared_task
def send_notice_change(version_id: int) -> int:
    """Tell active users what a published privacy notice changed. Safe to run again."""
    version = PolicyVersion.objects.filter(pk=version_id, number__isnull=False).first()
    return notice_change_send(version=version) if version is not None else 0
