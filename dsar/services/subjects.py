"""Matching a rights request to the accounts of the people it is about."""

from django.db import transaction

from accounts.models import User
from dsar.models import RequestSubject, RightsRequest
from dsar.services.timeline import Kind, audit_step, event_add, require_staff


def rights_request_link_own_account(
    *, request: RightsRequest, user: User, by=None
) -> RequestSubject:
    """Match a request to the requester's own account without the DPO: the person filed while
    logged in, or an integration filed for a user of its own organisation with that e-mail."""
    by = by if by is not None else user
    with transaction.atomic():
        subject, created = RequestSubject.objects.get_or_create(
            request=request,
            user=user,
            defaults={"confirmed_by": by if isinstance(by, User) else None},
        )
        if created:
            event_add(request, Kind.ACTION, by=by, body="Matched to the requester's own account.")
            audit_step(by, "rights_request.subject_link_own", request, user=user.pk)
    return subject


def rights_request_confirm_subject(*, request: RightsRequest, user: User, by) -> RequestSubject:
    require_staff(by)
    with transaction.atomic():
        subject, created = RequestSubject.objects.get_or_create(
            request=request, user=user, defaults={"confirmed_by": by}
        )
        if created:
            event_add(request, Kind.ACTION, by=by, body=f"Matched to the account {user.email}.")
            audit_step(by, "rights_request.subject_confirm", request, user=user.pk)
    return subject


def rights_request_remove_subject(*, request: RightsRequest, user: User, by) -> None:
    require_staff(by)
    with transaction.atomic():
        removed, _ = RequestSubject.objects.filter(request=request, user=user).delete()
        if removed:
            event_add(request, Kind.ACTION, by=by, body=f"Unmatched from the account {user.email}.")
            audit_step(by, "rights_request.subject_remove", request, user=user.pk)
