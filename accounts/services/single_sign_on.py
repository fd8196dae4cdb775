"""Accounts written by a single sign-on login: the account a first login creates (just in
time), and an invited account its first login activates. The sso app verifies the identity
provider's answer and decides; these only write, and audit what they write."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import Organisation, User
from accounts.services.invitations import require_open
from accounts.services.users import ORGANISATION_ROLES, organisation_user_add


def user_create_at_sso_login(
    *, organisation: Organisation, email: str, full_name: str, role: str
) -> User:
    """An active account for someone the organisation's identity provider vouched for, made at
    their first login. It has no password: the person always logs in through the IdP."""
    if role not in ORGANISATION_ROLES:
        raise ValidationError({"role": "Users of a client are members or client admins."})
    require_open(organisation)
    with transaction.atomic():
        user = organisation_user_add(
            organisation=organisation,
            email=email,
            full_name=full_name or email.split("@")[0],
            role=role,
            status=User.Status.ACTIVE,
        )
        audit.record(None, "user.create_sso", target=user, details={"role": role})
    return user


def user_activate_at_sso_login(*, user: User) -> User:
    """An invited user whose organisation's IdP has just vouched for them: the login proves
    the address as the invitation link would, so the account is active and the link stops
    working. Anyone not invited is returned as they are."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.status != User.Status.INVITED:
            return user
        now = timezone.now()
        user.status = User.Status.ACTIVE
        user.save(update_fields=["status"])
        user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        audit.record(user, "invitation.accept_sso", target=user)
    return user
