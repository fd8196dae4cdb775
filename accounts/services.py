"""Account writes: invitations, rectification, roles, suspension, termination, MFA resets.

Every change here is the only way the app makes it, and each one leaves an audit entry.
``by`` is the acting user, or an integration's API key (accounts.authentication.ApiKeyPrincipal):
a key is no user row, so the "..._by" links stay empty and the audit entry names the key.
"""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp import devices_for_user

import audit
from accounts.email_links import INVITATION_SALT
from accounts.models import (
    Invitation,
    Organisation,
    OrganisationAPIKey,
    Role,
    User,
    UserManager,
)
from accounts.selectors import actor_is_api_key, user_administers, user_can_manage
from accounts.signals import user_sessions_must_end
from accounts.tasks import notice_enqueue, send_invitation

INVITATION_LIFETIME = timedelta(hours=72)
ORGANISATION_ROLES = (Role.MEMBER, Role.CLIENT_ADMIN)
KEY_MEMBERS_ONLY = (
    "An API key acts on members only: a client admin manages client admins in the console."
)


class EmailTaken(Exception):
    """Another account already uses this e-mail address (the API answers 409)."""


class InvalidTransition(ValidationError):
    """The account is not in a state this action applies to."""


def require_key_acts_on_members(actor, role: str) -> None:
    """A key may not touch, make or promote a client admin.

    A key has no second factor and no person answers for each call: were it able to, a leaked
    "users" key could suspend or re-address the people who can revoke it, its creator included.
    """
    if actor_is_api_key(actor) and role != Role.MEMBER:
        raise PermissionDenied(KEY_MEMBERS_ONLY)


def _require_manager(actor, user: User) -> None:
    if not user_can_manage(actor, user):
        raise PermissionDenied("You may not manage this user.")
    require_key_acts_on_members(actor, user.role)
    if actor.pk == user.pk:
        raise PermissionDenied("You cannot run this action on your own account.")


def _require_status(user: User, *allowed: str, action: str) -> None:
    if user.status not in allowed:
        raise InvalidTransition(
            f"A {user.get_status_display().lower()} account cannot be {action}."
        )


# --- Sessions -------------------------------------------------------------------


def _user_sessions_end(user: User) -> None:
    """Log out every session of ``user``: security keeps the session rows and ends them."""
    user_sessions_must_end.send(sender=User, user=user)


# --- Invitations ----------------------------------------------------------------


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


def _invitation_issue(*, user: User, by) -> Invitation:
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
) -> User:
    """Create an invited user of ``organisation`` and e-mail them a one-time link."""
    if not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not invite users to this organisation.")
    require_key_acts_on_members(by, role)
    if role not in ORGANISATION_ROLES:
        raise ValidationError({"role": "Users of a client are members or client admins."})
    email = UserManager.normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise EmailTaken(email)
    user = User(
        email=email,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        organisation=organisation,
        role=role,
        status=User.Status.INVITED,
    )
    user.set_unusable_password()
    user.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            user.save()
            _invitation_issue(user=user, by=by)
            audit.record(by, "user.invite", target=user, details={"role": role})
    except IntegrityError as exc:
        raise EmailTaken(email) from exc
    return user


def user_reinvite(*, user: User, by) -> Invitation:
    """Send a fresh link to a user who has not accepted yet; older links stop working."""
    _require_manager(by, user)
    _require_status(user, User.Status.INVITED, action="invited again")
    with transaction.atomic():
        invitation = _invitation_issue(user=user, by=by)
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


# --- Rectification and roles ------------------------------------------------------

# Not the e-mail address: it changes only through accounts.email_changes, once confirmed.
RECTIFIABLE_FIELDS = ("full_name", "job_title")


def user_rectify(*, user: User, by, **changes) -> User:
    """Correct a user's details. The audit entry names the fields changed, not their values."""
    if by.pk != user.pk:
        _require_manager(by, user)
    unknown = set(changes) - set(RECTIFIABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    changes = {name: str(value).strip() for name, value in changes.items()}
    changed = [name for name, value in changes.items() if getattr(user, name) != value]
    if not changed:
        return user
    for name in changed:
        setattr(user, name, changes[name])
    user.full_clean(validate_unique=False)
    with transaction.atomic():
        user.save(update_fields=changed)
        audit.record(by, "user.rectify", target=user, details={"fields": sorted(changed)})
    return user


def user_change_role(*, user: User, role: str, by) -> User:
    _require_manager(by, user)
    require_key_acts_on_members(by, role)
    if role not in ORGANISATION_ROLES or user.role not in ORGANISATION_ROLES:
        raise ValidationError({"role": "Only members and client admins can change role here."})
    if role == user.role:
        return user
    previous = user.role
    with transaction.atomic():
        user.role = role
        user.save(update_fields=["role"])
        audit.record(by, "user.role_change", target=user, details={"from": previous, "to": role})
    return user


# --- Life cycle -----------------------------------------------------------------


def user_suspend(
    *, user: User, reason: str, by, automated: bool = False, investigation=None
) -> User:
    """Suspend an account: it cannot log in, and every open session ends at once.

    ``automated`` marks the provisional suspension a high-severity rule applies; the user is
    told it awaits a person's review and how to contest it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the suspension."})
    if not automated:
        _require_manager(by, user)
    _require_status(user, User.Status.ACTIVE, User.Status.INVITED, action="suspended")
    with transaction.atomic():
        user.status = User.Status.SUSPENDED
        user.suspended_reason = reason
        user.suspended_at = timezone.now()
        user.suspended_by = by if isinstance(by, User) else None
        user.save(update_fields=["status", "suspended_reason", "suspended_at", "suspended_by"])
        _user_sessions_end(user)
        audit.record(
            by,
            "user.suspend",
            target=user,
            details={"reason": reason, "automated": automated},
        )
        if automated:
            notice_enqueue(
                user=user,
                kind="held_for_review",
                context={"reason": reason, "investigation_id": getattr(investigation, "pk", None)},
            )
        else:
            notice_enqueue(user=user, kind="suspended", context={"reason": reason})
    return user


def user_reactivate(*, user: User, by) -> User:
    _require_manager(by, user)
    _require_status(user, User.Status.SUSPENDED, action="reactivated")
    with transaction.atomic():
        user.status = User.Status.ACTIVE
        user.suspended_reason = ""
        user.suspended_at = None
        user.suspended_by = None
        user.save(update_fields=["status", "suspended_reason", "suspended_at", "suspended_by"])
        audit.record(by, "user.reactivate", target=user)
        notice_enqueue(user=user, kind="reactivated")
    return user


def user_terminate(*, user: User, by) -> User:
    """End an account for good. The retention clock for its data starts now."""
    _require_manager(by, user)
    _require_status(
        user, User.Status.ACTIVE, User.Status.SUSPENDED, User.Status.INVITED, action="terminated"
    )
    with transaction.atomic():
        user.status = User.Status.TERMINATED
        user.terminated_at = timezone.now()
        user.terminated_by = by if isinstance(by, User) else None
        user.save(update_fields=["status", "terminated_at", "terminated_by"])
        user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=user.terminated_at
        )
        _user_sessions_end(user)
        audit.record(by, "user.terminate", target=user)
    return user


def user_reset_mfa(*, user: User, by) -> User:
    """Remove the user's authenticator and backup codes; they enrol again at the next login.

    The organisation's client admin or the DPO may do it; support may not.
    """
    _require_manager(by, user)
    if getattr(by, "role", None) == Role.SUPPORT:
        raise PermissionDenied("Only the DPO or the organisation's client admin can reset MFA.")
    with transaction.atomic():
        # Every device class django-otp knows (authenticator apps, security's backup codes);
        # each delete() counts the device's own codes too, as the audit entry always has.
        removed = sum(device.delete()[0] for device in devices_for_user(user, confirmed=None))
        _user_sessions_end(user)
        audit.record(by, "user.mfa_reset", target=user, details={"devices_removed": removed})
        notice_enqueue(user=user, kind="mfa_reset", context={"by": by.full_name})
    return user


# --- Organisation ---------------------------------------------------------------


def organisation_set_mfa_required(*, organisation: Organisation, mfa_required: bool, by):
    if not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not change this organisation's settings.")
    if organisation.mfa_required == mfa_required:
        return organisation
    with transaction.atomic():
        organisation.mfa_required = mfa_required
        organisation.save(update_fields=["mfa_required", "updated_at"])
        audit.record(
            by,
            "organisation.mfa_required",
            target=organisation,
            details={"mfa_required": mfa_required},
        )
    return organisation


# --- API keys -------------------------------------------------------------------


def api_key_create(
    *, organisation: Organisation, name: str, scopes: list[str], by
) -> tuple[OrganisationAPIKey, str]:
    """Create a key; the plain key is returned once and only its hash is stored."""
    if not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not create API keys for this organisation.")
    if actor_is_api_key(by):
        # A key is made by a person, who is named as its creator.
        raise PermissionDenied("An API key cannot create API keys.")
    key = OrganisationAPIKey(
        organisation=organisation, name=name.strip(), scopes=sorted(set(scopes)), created_by=by
    )
    key.full_clean(exclude=["id", "prefix", "hashed_key"])
    if not key.scopes:
        raise ValidationError({"scopes": "Choose at least one scope."})
    with transaction.atomic():
        plain = OrganisationAPIKey.objects.assign_key(key)
        key.save()
        audit.record(
            by,
            "api_key.create",
            target=key,
            target_id=key.prefix,  # the pk holds the key's hash: never in the trail
            details={"scopes": key.scopes},
        )
    return key, plain


def api_key_revoke(*, key: OrganisationAPIKey, by) -> OrganisationAPIKey:
    if not user_administers(by, key.organisation_id):
        raise PermissionDenied("You may not revoke this key.")
    if key.revoked:
        return key
    with transaction.atomic():
        key.revoked = True
        key.revoked_at = timezone.now()
        key.revoked_by = by
        key.save(update_fields=["revoked", "revoked_at", "revoked_by"])
        audit.record(by, "api_key.revoke", target=key, target_id=key.prefix)
    return key


# --- Flags set by rights requests ---------------------------------------------------------


def _flag_users(*, users, field: str, on: bool, by, action: str) -> int:
    """Set or clear a timestamp flag on users; those already so are left alone (idempotent)."""
    with transaction.atomic():
        changing = list(users.filter(**{f"{field}__isnull": on}))
        User.objects.filter(pk__in=[u.pk for u in changing]).update(
            **{field: timezone.now() if on else None}
        )
        for user in changing:
            audit.record(by, action, target=user)
    return len(changing)


def users_restrict_processing(*, users, by) -> int:
    """Restrict processing: client usage reports and aggregates leave these people out."""
    return _flag_users(
        users=users, field="processing_restricted_at", on=True, by=by, action="user.restrict"
    )


def users_lift_restriction(*, users, by) -> int:
    return _flag_users(
        users=users,
        field="processing_restricted_at",
        on=False,
        by=by,
        action="user.restriction_lift",
    )


def users_uphold_objection(*, users, by) -> int:
    """An objection to processing on legitimate interests was upheld for these people."""
    return _flag_users(
        users=users, field="objection_upheld_at", on=True, by=by, action="user.objection_upheld"
    )
