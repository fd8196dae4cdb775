"""Demo data for the retention page (seed_demo calls this; idempotent)."""

import datetime

from django.utils import timezone

from accounts.models import Organisation, User
from common.roles import Role
from retention.models import LegalHold, PurgeRun, RetentionPolicy
from retention.services import schedule
from retention.services.purge import purge_category


def retention_demo_seed(*, dpo: User, organisation: Organisation) -> None:
    # A legal hold on one member of the organisation.
    held = organisation.users.filter(role=Role.MEMBER).order_by("pk")[1:2].first()
    if held is not None and not LegalHold.objects.filter(user=held).exists():
        schedule.legal_hold_place(
            user=held,
            reason="Demo: employment tribunal claim; keep everything until it is settled.",
            by=dpo,
        )
    # A former employee (the organisation's last member) whose account ended longer ago
    # than the schedule keeps it: the next purge, or "Run a dry run now", shows it due.
    policy = RetentionPolicy.objects.filter(category="account").first()
    days = policy.days if policy else 180
    former = organisation.users.filter(role=Role.MEMBER).order_by("-pk").first()
    if former is not None and former.status != User.Status.TERMINATED:
        former.status = User.Status.TERMINATED
        former.terminated_at = timezone.now() - datetime.timedelta(days=days + 30)
        former.save(update_fields=["status", "terminated_at"])
    # A dry run, so the page has counts and a run to show.
    if policy is not None and not PurgeRun.objects.exists():
        purge_category(category="account", dry_run=True, trigger="seed")
