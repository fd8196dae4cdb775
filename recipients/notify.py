"""Article 19: when a rights request erases, rectifies or restricts, every recipient of the
person's data is told. Clients come from the disclosure log (the usage reports they received),
service providers from the processor register (those receiving the categories held)."""

from accounts.models import Organisation, User
from datamap import Subject
from datamap.engines import entries_holding
from recipients.models import Notice
from recipients.services import notices_send
from records.models import Disclosure
from records.selectors import processor_register


def recipients_tell(*, event: str, users: list[User], reference: str) -> list[Notice]:
    """Tell every recipient of these people's data; call before the change itself, while
    the data that says who received what is still there.

    It runs inside the erasure's transaction, so its cost does not grow with the data map,
    the recipients or the people: seven queries (see tests/recipients/test_recipients_told.py).
    """
    if not users:
        return []
    ids = [user.pk for user in users]
    # 1. The clients each person's data was disclosed to.
    clients: dict[int, set[int]] = {pk: set() for pk in ids}
    for user_id, organisation_id in (
        Disclosure.objects.filter(
            recipient_type=Disclosure.RecipientType.CLIENT,
            subjects__user_id__in=ids,
            organisation__isnull=False,
        )
        .values_list("subjects__user_id", "organisation_id")
        .distinct()
    ):
        clients[user_id].add(organisation_id)
    # 2. Who was told already: each recipient is told once per request, so running an
    # executor again tells no one twice.
    told = Notice.objects.filter(event=event, subject_id__in=ids, request_reference=reference)
    told_clients, told_providers = set(), set()
    for subject_id, organisation_id, processor_id in told.values_list(
        "subject_id", "organisation_id", "processor_id"
    ):
        told_clients.add((subject_id, organisation_id))
        told_providers.add((subject_id, processor_id))
    # 3. Those clients, by name.
    organisations = list(
        Organisation.objects.filter(pk__in=set().union(*clients.values())).order_by("name")
    )
    # 4. The data-map categories that hold anything of each person (one SELECT of EXISTS).
    held = entries_holding({u.pk: Subject.of(user_ids=[u.pk], emails=[u.email]) for u in users})
    # 5. The providers (the processor register).
    register = processor_register()
    to = []
    for user in users:
        for organisation in organisations:
            if organisation.pk not in clients[user.pk]:
                continue
            if (user.pk, organisation.pk) not in told_clients:
                to.append(Notice(subject=user, organisation=organisation))
        categories = {entry.category for entry in held[user.pk]}
        for provider in register:
            if not provider.receives_any(categories):
                continue
            if (user.pk, provider.processor.pk) not in told_providers:
                label = provider.name
                to.append(Notice(subject=user, processor=provider.processor, recipient_label=label))
    if not to:
        return []
    # 6. One INSERT of the notices; 7. the webhook endpoints and (8.) one INSERT of deliveries
    # when a client has any.
    return notices_send(event=event, reference=reference, to=to)
