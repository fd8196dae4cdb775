"""Scheduled usage reports: client admins subscribe, beat builds each closed period once and
e-mails each recipient a link to it in the console (never the figures themselves).

Who may receive a report is ``accounts.selectors.report_recipients``: checked when someone is
chosen and again at every delivery and every e-mail, so that a person who lost the entitlement
since (suspended, no longer an admin, a group company no longer named) gets nothing.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import audit
from accounts.models import Organisation, User
from accounts.selectors import group_companies_of, report_recipients
from accounts.tasks import notice_enqueue
from usage.models import (
    ReportDelivery,
    ReportDeliveryRecipient,
    ReportDeliverySubject,
    ReportSubscription,
    ReportSubscriptionRecipient,
)
from usage.periods import Period, last_closed_period
from usage.selectors import usage_report
from usage.services.disclosures import usage_report_delivery_disclose

NOTICE = "usage_report_ready"
NO_RECIPIENTS = "Choose at least one person to receive the report."
NOT_ENTITLED = "Only client admins of your organisation or of its group companies can receive it."


def _check_admin_of(organisation: Organisation, by) -> None:
    if not (
        by is not None
        and by.is_active
        and by.is_client_admin
        and by.organisation_id == organisation.pk
    ):
        raise PermissionDenied("Only a client admin of the organisation manages its reports.")


def _allowed_recipients(organisation: Organisation, recipients: Iterable[User]) -> list[User]:
    chosen = {user.pk for user in recipients}
    if not chosen:
        raise ValidationError({"recipients": NO_RECIPIENTS})
    allowed = list(report_recipients(organisation).filter(pk__in=chosen).order_by("pk"))
    if len(allowed) != len(chosen):
        raise ValidationError({"recipients": NOT_ENTITLED})
    return allowed


def _checked(subscription: ReportSubscription) -> None:
    try:
        subscription.full_clean(exclude=["organisation", "created_by", "cancelled_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


def _recipients_set(subscription: ReportSubscription, users: list[User]) -> None:
    subscription.recipients.exclude(user__in=users).delete()
    ReportSubscriptionRecipient.objects.bulk_create(
        [ReportSubscriptionRecipient(subscription=subscription, user=user) for user in users],
        ignore_conflicts=True,
    )


def report_subscription_create(
    *, organisation: Organisation, cadence: str, grouping: str, recipients: Iterable[User], by
) -> ReportSubscription:
    _check_admin_of(organisation, by)
    subscription = ReportSubscription(
        organisation=organisation, cadence=cadence, grouping=grouping, created_by=by
    )
    _checked(subscription)
    users = _allowed_recipients(organisation, recipients)
    with transaction.atomic():
        subscription.save()
        _recipients_set(subscription, users)
        audit.record(
            by,
            "usage_report.subscribed",
            target=subscription,
            details={"cadence": cadence, "grouping": grouping, "recipients": [u.pk for u in users]},
        )
    return subscription


def report_subscription_update(
    *, subscription: ReportSubscription, cadence: str, grouping: str, recipients, by
) -> ReportSubscription:
    """Change the grouping and recipients from the next delivery on. A new cadence is a new
    subscription (this one is cancelled, its deliveries stay with it): a week and a month can
    start on the same day, and a period is keyed by its subscription and first day."""
    _check_admin_of(subscription.organisation, by)
    if not subscription.is_active:
        raise ValidationError("This subscription was cancelled; start a new one instead.")
    if cadence != subscription.cadence:
        with transaction.atomic():
            replacement = report_subscription_create(
                organisation=subscription.organisation,
                cadence=cadence,
                grouping=grouping,
                recipients=recipients,
                by=by,
            )
            report_subscription_cancel(subscription=subscription, by=by)
        return replacement
    subscription.grouping = grouping
    _checked(subscription)
    users = _allowed_recipients(subscription.organisation, recipients)
    with transaction.atomic():
        subscription.save(update_fields=["grouping"])
        _recipients_set(subscription, users)
        audit.record(
            by,
            "usage_report.subscription_changed",
            target=subscription,
            details={"grouping": grouping, "recipients": [u.pk for u in users]},
        )
    return subscription


def report_subscription_cancel(*, subscription: ReportSubscription, by) -> ReportSubscription:
    _check_admin_of(subscription.organisation, by)
    with transaction.atomic():
        cancelled = ReportSubscription.objects.filter(
            pk=subscription.pk, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now(), cancelled_by=by)
        if cancelled:
            audit.record(by, "usage_report.subscription_cancelled", target=subscription)
    subscription.refresh_from_db()
    return subscription


def report_deliveries_due(now: datetime.datetime) -> list[tuple[ReportSubscription, Period]]:
    """Each active subscription with the last closed period it has not had yet. A period that
    closed before the subscription began is not owed: the first report is the next one."""
    due = []
    subscriptions = ReportSubscription.objects.filter(
        cancelled_at__isnull=True, organisation__status=Organisation.Status.ACTIVE
    ).select_related("organisation")
    for subscription in subscriptions.order_by("pk"):
        period = last_closed_period(subscription.cadence, now)
        if period.closed_at > subscription.created_at:
            due.append((subscription, period))
    delivered = set(
        ReportDelivery.objects.filter(
            subscription__in=[s for s, _ in due], period_start__in={p.start for _, p in due}
        ).values_list("subscription_id", "period_start")
    )
    return [(s, p) for s, p in due if (s.pk, p.start) not in delivered]


def _figures(report) -> dict:
    """The report as stored: people by user id only; their names are shown from their
    accounts when the report is opened, so erasing a person takes their name out of it."""
    return {
        "totals": {"events": report.total_events, "duration_ms": report.total_duration_ms},
        "rows": [
            {
                "key": row.key,
                "label": "" if report.group_by == "user" else row.label,
                "events": row.events,
                "duration_ms": row.duration_ms,
                "active_days": row.active_days,
                "users": row.users,
            }
            for row in report.rows
        ],
        "daily": [[day.isoformat(), events] for day, events in report.series],
    }


def _email_context(delivery: ReportDelivery, period: Period) -> dict:
    """What the e-mail says: whose report, which period, and the link. Never a figure."""
    return {
        "organisation_name": delivery.organisation.name,
        "period": str(period),
        "path": reverse("usage:delivery", args=[delivery.pk]),
    }


def report_delivery_build(
    *, subscription: ReportSubscription, period: Period
) -> tuple[ReportDelivery, bool]:
    """Build one period's report once: a second call (another run, a retried task) finds the
    delivery and does nothing. Returns the delivery and whether this call built it.

    Recipients are checked against today's entitlement; each organisation whose admins receive
    it is one disclosure; the e-mails (a link, no figures) are queued for after the commit.
    """
    with transaction.atomic():
        # Serialises two runs over one subscription: the second waits, then finds the delivery.
        subscription = (
            ReportSubscription.objects.select_for_update()
            .select_related("organisation")
            .get(pk=subscription.pk)
        )
        delivery, created = ReportDelivery.objects.get_or_create(
            subscription=subscription,
            period_start=period.start,
            defaults={
                "organisation": subscription.organisation,
                "period_end": period.end,
                "grouping": subscription.grouping,
            },
        )
        if not created:
            return delivery, False
        report = usage_report(
            organisation=subscription.organisation,
            start=period.start,
            end=period.end,
            group_by=subscription.grouping,
        )
        delivery.figures = _figures(report)
        delivery.save(update_fields=["figures"])
        ReportDeliverySubject.objects.bulk_create(
            [ReportDeliverySubject(delivery=delivery, user_id=pk) for pk in report.user_ids],
            batch_size=1000,
        )
        users = list(
            report_recipients(subscription.organisation)
            .filter(pk__in=subscription.recipients.values("user_id"))
            .order_by("pk")
        )
        now = timezone.now()
        ReportDeliveryRecipient.objects.bulk_create(
            [
                ReportDeliveryRecipient(delivery=delivery, user=user, emailed_at=now)
                for user in users
            ]
        )
        organisations = {user.organisation_id: user.organisation for user in users}
        # report_recipients admitted each other organisation through its entitlement.
        entitlements = {
            entitlement.member_id: entitlement
            for entitlement in group_companies_of(subscription.organisation)
        }
        for organisation in organisations.values():
            usage_report_delivery_disclose(
                report=report,
                recipient_organisation=organisation,
                recipients=[u for u in users if u.organisation_id == organisation.pk],
                cadence=subscription.cadence,
                entitlement=entitlements.get(organisation.pk),
            )
        audit.record(
            None,
            "usage_report.delivered",
            target=subscription,
            details={
                "delivery": delivery.pk,
                "period_start": period.start.isoformat(),
                "period_end": period.end.isoformat(),
                "recipients": [u.pk for u in users],
            },
        )
        context = _email_context(delivery, period)
        for user in users:
            notice_enqueue(user=user, kind=NOTICE, context=context)
    return delivery, True


def report_delivery_open(*, delivery: ReportDelivery, user) -> None:
    """A recipient opened their delivery: noted the first time. Not a disclosure: the
    delivery already was one."""
    ReportDeliveryRecipient.objects.filter(
        delivery=delivery, user=user, first_opened_at__isnull=True
    ).update(first_opened_at=timezone.now())
