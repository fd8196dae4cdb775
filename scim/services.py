"""Provisioning writes: tokens, and the users a directory creates, changes and deletes.

A directory's change does exactly what the same change in the console does, through the same
accounts services (audit entries, notices, sessions ended on suspension), with the token's
principal (scim.authentication.ScimPrincipal) as the actor. Only what accounts does not keep,
the directory's own id for a person and the parts of their name, is written here.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import dateformat, timezone

import audit
from accounts.api_key_cache import credential_forget
from accounts.models import Organisation, User
from accounts.selectors import (
    actor_is_api_key,
    email_change_pending,
    user_administers,
    user_can_manage,
)
from accounts.services.email_changes import user_email_change_request
from accounts.services.invitations import user_invite
from accounts.services.users import user_reactivate, user_rectify, user_suspend, user_terminate
from accounts.tasks import notice_enqueue
from scim.models import ScimIdentity, ScimToken
from scim.resources import ACTIVE_STATUSES, identity_of
from scim.selectors import admins_to_tell

DEACTIVATED = "Deactivated in your organisation's directory (SCIM provisioning)."


# --- Tokens -------------------------------------------------------------------------


def _tell_admins(*, organisation: Organisation, kind: str, token: ScimToken, by) -> None:
    context = {
        "token_name": token.name,
        "prefix": token.prefix,
        "by": by.full_name,
        # Words, not a moment: the context travels through the broker as JSON.
        "expires": (
            dateformat.format(timezone.localtime(token.expiry_date), "j F Y")
            if token.expiry_date
            else ""
        ),
    }
    for admin in admins_to_tell(organisation):
        notice_enqueue(user=admin, kind=kind, context=context)


def scim_token_create(
    *, organisation: Organisation, name: str, by, expires_at: datetime | None = None
) -> tuple[ScimToken, str]:
    """Create a provisioning token, valid until revoked or ``expires_at``; the plain token is
    returned once, only its hash is kept. The organisation's client admins are told."""
    if actor_is_api_key(by) or not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not create provisioning tokens for this organisation.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("A token must expire in the future.")
    token = ScimToken(
        organisation=organisation, name=name.strip(), created_by=by, expiry_date=expires_at
    )
    token.full_clean(exclude=["id", "prefix", "hashed_key", "organisation", "created_by"])
    with transaction.atomic():
        plain = ScimToken.objects.assign_key(token)
        token.save()
        # The pk holds the token's hash: the trail names it by its prefix.
        audit.record(by, "scim_token.create", target=token, target_id=token.prefix)
        _tell_admins(organisation=organisation, kind="scim_token_created", token=token, by=by)
    return token, plain


def scim_token_revoke(*, token: ScimToken, by) -> ScimToken:
    """Every request with the token is refused from now on. Revoking twice changes nothing."""
    if actor_is_api_key(by) or not user_administers(by, token.organisation_id):
        raise PermissionDenied("You may not revoke this token.")
    with transaction.atomic():
        token = ScimToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked:
            return token
        token.revoked = True
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked", "revoked_at", "revoked_by"])
        audit.record(by, "scim_token.revoke", target=token, target_id=token.prefix)
        # Every process stops using what it remembered of the token as soon as this commits.
        transaction.on_commit(lambda: credential_forget(token))
        _tell_admins(organisation=token.organisation, kind="scim_token_revoked", token=token, by=by)
    return token


# --- Users --------------------------------------------------------------------------


@dataclass(frozen=True)
class UserChange:
    """What the directory wants the user to be. ``active`` None leaves the status alone."""

    email: str
    full_name: str
    job_title: str
    external_id: str
    given_name: str
    family_name: str
    active: bool | None


def _identity_save(
    *, user: User, change: UserChange, by, touched: bool, audited: bool = True
) -> None:
    """Keep the directory's id and name parts; ``touched`` (the account changed) moves the
    resource's lastModified even when these did not. A creation's are part of its invitation
    entry, not a rectification (``audited`` False)."""
    identity = identity_of(user) or ScimIdentity(user=user)
    wanted = {
        "external_id": change.external_id,
        "given_name": change.given_name,
        "family_name": change.family_name,
    }
    changed = sorted(name for name, value in wanted.items() if getattr(identity, name) != value)
    if not changed and not touched:
        return
    for name in changed:
        setattr(identity, name, wanted[name])
    identity.full_clean(exclude=["user"])
    identity.save()
    user.scim_identity = identity
    if changed and audited:
        audit.record(
            by, "user.rectify", target=user, details={"fields": changed, "via": "provisioning"}
        )


def scim_user_create(*, organisation: Organisation, change: UserChange, by) -> User:
    """A new member of ``organisation``, invited as the console invites: an e-mail with a
    one-time link to set a password. Deactivated at once if the directory says so."""
    with transaction.atomic():
        user = user_invite(
            organisation=organisation,
            email=change.email,
            full_name=change.full_name,
            job_title=change.job_title,
            by=by,
        )
        _identity_save(user=user, change=change, by=by, touched=True, audited=False)
        if change.active is False:
            user = user_suspend(user=user, reason=DEACTIVATED, by=by)
    return user


def scim_user_update(*, user: User, change: UserChange, by) -> User:
    """Bring ``user`` to what the directory says, changing only what differs, in one
    transaction: a refusal (a client admin, a security hold) leaves everything as it was.

    A new e-mail address is asked for, as in the console: it takes effect when its owner
    follows the link. Asking again for the address already pending sends nothing new.
    """
    if not user_can_manage(by, user):
        raise PermissionDenied("You may not manage this user.")
    with transaction.atomic():
        touched = False
        pending = email_change_pending(user)
        pending_email = pending.new_email if pending else None
        # The current address leaves a change asked for in the console alone: a directory
        # that re-sends what it always has (Okta's PUT) must not cancel it.
        if change.email not in (user.email, pending_email):
            user_email_change_request(user=user, new_email=change.email, by=by)
            touched = True
        details = {"full_name": change.full_name, "job_title": change.job_title}
        details = {name: value for name, value in details.items() if getattr(user, name) != value}
        if details:
            user = user_rectify(user=user, by=by, **details)
            touched = True
        if change.active is True and user.status == User.Status.SUSPENDED:
            user = user_reactivate(user=user, by=by)
            touched = True
        elif change.active is False and user.status in ACTIVE_STATUSES:
            user = user_suspend(user=user, reason=DEACTIVATED, by=by)
            touched = True
        _identity_save(user=user, change=change, by=by, touched=touched)
    return user


def scim_user_delete(*, user: User, by) -> User:
    """A deletion in the directory terminates the account, as the console does: its sessions
    end and the retention clock of its data starts. It then reads as deleted (404)."""
    if user.status == User.Status.TERMINATED:
        raise ValidationError("The account is already closed.")
    return user_terminate(user=user, by=by)
