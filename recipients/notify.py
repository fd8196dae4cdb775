"""Article 19: when a rights request erases, rectifies or restricts, every recipient of the
person's data is told. Clients come from the disclosure log (the usage reports they received),
service providers from the processor register (those receiving the categories held)."""

from django.db import transaction

from accounts.models import Organisation, User
from datamap import Subject, registry
from recipients.models import Notice
from recipients.services import notice_send
from recipients.tasks import email_processor_notice
from records.models import Disclosure
from records.selectors import processors_receiving


def categories_held(subject: Subject) -> set[str]:
    """The data-map categories that hold any row of the person (one query per entry)."""
    return {entry.category for entry in registry.entries() if entry.rows_of(subject).exists()}


def recipients_tell(*, event: str, users: list[User], reference: str) -> list[Notice]:
    """Tell every recipient of these people's data; call before the change itself, while
    the data that says who received what is still there."""
    notices = []
    for user in users:
        organisation_ids = set(
            Disclosure.objects.filter(
                recipient_type=Disclosure.RecipientType.CLIENT,
                subjects__user_id=user.pk,
                organisation__isnull=False,
            ).values_list("organisation_id", flat=True)
        )
        # Each recipient is told once per request: running an executor again tells no one twice.
        told = Notice.objects.filter(event=event, subject=user, request_reference=reference)
        organisation_ids -= set(told.values_list("organisation_id", flat=True))
        told_processors = set(told.values_list("processor_id", flat=True))
        for organisation in Organisation.objects.filter(pk__in=organisation_ids).order_by("name"):
            notices.append(
                notice_send(
                    event=event, subject=user, organisation=organisation, reference=reference
                )
            )
        held = categories_held(Subject.of(user_ids=[user.pk], emails=[user.email]))
        for entry in processors_receiving(held).processors:
            if entry.processor.pk in told_processors:
                continue
            notice = Notice.objects.create(
                event=event,
                kind=Notice.Kind.PROCESSOR,
                recipient_label=entry.name,
                processor=entry.processor,
                subject=user,
                subject_email=user.email,
                request_reference=reference,
            )
            transaction.on_commit(lambda pk=notice.pk: email_processor_notice.delay(pk))
            notices.append(notice)
    return notices
