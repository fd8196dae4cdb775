"""Invitations: a one-time link to set a password, issued, re-issued and accepted."""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.email_links import INVITATION_SALT
from accounts.models import Invitation, Organisation, Role, User, UserManager
from accounts.selectors import user_administers
from accounts.services.users import (
    ORGANISATION_ROLES,
    InvalidTransition,
    organisation_user_add,
    require_key_acts_on_members,
    require_manager,
    require_status,
)
from accounts.tasks import send_invitation

INVITATION_LIFETIME = timedelta(hours=72)
# The input that confirms an invitation outside the allowed domains (form field, API field).
CONFIRM_OTHER_DOMAIN = "confirm_other_domain"


def invitation_from_token(token: str) -> tuple[Invitation | None, str]:
    """The invitation a link names, and why it cannot be used: "", "invalid", "expired", "used"."""
    try:
        nonce = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None, "invalid"
    invitation = Invitation.objects.select_related("user__organisation").filter(nonce=nonce)
    invitation = invitation.first()
    if invitation is None:
        return None, "invalid"
    if invitation.accepted_at is not None or invitation.user.status != User.Status.INVITED:
        return invitation, "used"
    if invitation.revoked_at is not None or timezone.now() >= invitation.expires_at:
        return invitation, "expired"
    return invitation, ""


class OrganisationClosed(InvalidTransition):
    """The organisation is closed: it takes no invitations until staff reopen it."""


def require_open(organisation: Organisation | None) -> None:
    # The stored status, not the instance's: a caller may hold one from before the closure.
    if (
        organisation is not None
        and Organisation.objects.filter(
            pk=organisation.pk, status=Organisation.Status.CLOSED
        ).exists()
    ):
        raise OrganisationClosed(
            f"{organisation.name} is closed: it takes no invitations. "
            "Staff can reopen it from the back office while its data is still held."
        )


def require_domain_confirmed(organisation: Organisation, email: str, confirmed: bool) -> None:
    """An address outside the organisation's allowed domains is invited only when the
    inviter confirms it: a typo in the domain would otherwise hand a login to a stranger."""
    # A malformed address is the account's validation to refuse, with its own message.
    if confirmed or "@" not in email or organisation.email_domain_allowed(email):
        return
    domains = ", ".join(organisation.allowed_email_domains)
    raise ValidationError(
        {
            CONFIRM_OTHER_DOMAIN: (
                f"{email.rpartition('@')[2]} is not one of {organisation.name}'s e-mail "
                f"domains ({domains}). Confirm to invite this address anyway."
            )
        },
        code="other_domain",
    )


def invitation_issue(*, user: User, by) -> Invitation:
    """Revoke the open links of ``user`` and issue a fresh one, mailed once the transaction
    commits."""
    require_open(user.organisation)
    now = timezone.now()
    user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    invitation = Invitation.objects.create(
        user=user,
        invited_by=by if isinstance(by, User) else None,
        nonce=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    send_invitation.delay_on_commit(invitation.pk)
    return invitation


def user_invite(
    *,
    organisation: Organisation,
    email: str,
    full_name: str,
    by,
    role: str = Role.MEMBER,
    job_title: str = "",
    confirm_other_domain: bool = False,
) -> User:
    """Create an invited user of ``organisation`` and e-mail them a one-time link.

    An address outside the organisation's allowed e-mail domains needs
    ``confirm_other_domain``; a closed organisation invites nobody.
    """
    if not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not invite users to this organisation.")
    require_key_acts_on_members(by, role)
    if role not in ORGANISATION_ROLES:
        raise ValidationError({"role": "Users of a client are members or client admins."})
    require_open(organisation)
    email = UserManager.normalize_email(email)
    require_domain_confirmed(organisation, email, confirm_other_domain)
    user, _ = invited_user_create(
        organisation=organisation,
        email=email,
        full_name=full_name,
        job_title=job_title,
        role=role,
        by=by,
    )
    return user


def invited_user_create(
    *, organisation: Organisation, email: str, full_name: str, role: str, by, job_title: str = ""
) -> tuple[User, Invitation]:
    """The account and its first link, audited; callers have checked who may invite.

    ``by`` None is the system (a management command an operator runs)."""
    with transaction.atomic():
        user = organisation_user_add(
            organisation=organisation,
            email=email,
            full_name=full_name,
            job_title=job_title,
            role=role,
            status=User.Status.INVITED,
        )
        invitation = invitation_issue(user=user, by=by)
        audit.record(by, "user.invite", target=user, details={"role": role})
    return user, invitation


def user_reinvite(*, user: User, by) -> Invitation:
    """Send a fresh link to a user who has not accepted yet; older links stop working."""
    require_manager(by, user)
    require_open(user.organisation)
    require_status(user, User.Status.INVITED, action="invited again")
    with transaction.atomic():
        invitation = invitation_issue(user=user, by=by)
        audit.record(by, "user.reinvite", target=user)
    return invitation


def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Set the invited user's password and activate the account. The link then stops working."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        user = invitation.user
        if not invitation.is_usable or user.status != User.Status.INVITED:
            raise InvalidTransition("This invitation has already been used or has expired.")
        validate_password(password, user)
        user.set_password(password)
        user.status = User.Status.ACTIVE
        user.save(update_fields=["password", "status"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(user, "invitation.accept", target=user)
    return user
