"""Disclosures other apps announce by signal, written to the disclosure log. Receivers only
hand over to the service."""

from django.dispatch import receiver

from records.models import Disclosure
from records.services import disclosure_record
from usage.signals import usage_report_disclosed


@receiver(usage_report_disclosed, dispatch_uid="records.usage_report_disclosed")
def record_usage_report_disclosure(
    sender, *, organisation, legal_basis, categories, description, subject_user_ids, by, **kwargs
):
    disclosure_record(
        recipient_type=Disclosure.RecipientType.CLIENT,
        recipient=(kwargs.get("recipient_name") or organisation.name)[:200],
        organisation=organisation,
        legal_basis=legal_basis,
        categories=categories,
        description=description,
        subject_user_ids=subject_user_ids,
        by=by,
        repeat_key=kwargs.get("repeat_key", ""),
    )
