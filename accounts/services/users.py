"""Account writes on a user: rectification, roles, the life cycle (suspend, reactivate,
terminate), MFA resets, and the flags rights requests set; with the checks every account write
shares (who may manage whom, which state an action applies to)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp import devices_for_user

import audit
from accounts.models import Organisation, PurposeObjection, Role, User, UserManager
from accounts.selectors import (
    actor_decides,
    actor_is_api_key,
    actor_is_staff,
    user_can_manage,
    user_held_for_review,
)
from accounts.signals import user_sessions_must_end
from accounts.tasks import notice_enqueue
from datamap.purposes import STOPPABLE_ON_OBJECTION, Purpose

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


def require_manager(actor, user: User) -> None:
    if not user_can_manage(actor, user):
        raise PermissionDenied("You may not manage this user.")
    require_key_acts_on_members(actor, user.role)
    if actor.pk == user.pk:
        raise PermissionDenied("You cannot run this action on your own account.")


def require_status(user: User, *allowed: str, action: str) -> None:
    if user.status not in allowed:
        raise InvalidTransition(
            f"A {user.get_status_display().lower()} account cannot be {action}."
        )


# --- New accounts ----------------------------------------------------------------


def organisation_user_add(
    *, organisation: Organisation, email: str, full_name: str, role: str, status: str, job_title=""
) -> User:
    """Save a new user of ``organisation``, without a usable password: an invitation sets one,
    or the person logs in with single sign-on. Callers check who may add them and audit it;
    EmailTaken when the address is in use."""
    email = UserManager.normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise EmailTaken(email)
    user = User(
        email=email,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        organisation=organisation,
        role=role,
        status=status,
    )
    user.set_unusable_password()
    user.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise EmailTaken(email) from exc
    return user


# --- Sessions -------------------------------------------------------------------


def user_sessions_end(user: User) -> None:
    """Log out every session of ``user``: security keeps the session rows and ends them."""
    user_sessions_must_end.send(sender=User, user=user)


# --- Rectification and roles ------------------------------------------------------

# Not the e-mail address: it changes only through accounts.services.email_changes, once confirmed.
RECTIFIABLE_FIELDS = ("full_name", "job_title")


def user_rectify(*, user: User, by, **changes) -> User:
    """Correct a user's details. The audit entry names the fields changed, not their values."""
    if by.pk != user.pk:
        require_manager(by, user)
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
    require_manager(by, user)
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
        require_manager(by, user)
    require_status(user, User.Status.ACTIVE, User.Status.INVITED, action="suspended")
    with transaction.atomic():
        user.status = User.Status.SUSPENDED
        user.suspended_reason = reason
        user.suspended_at = timezone.now()
        user.suspended_by = by if isinstance(by, User) else None
        user.save(update_fields=["status", "suspended_reason", "suspended_at", "suspended_by"])
        user_sessions_end(user)
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


HELD_FOR_REVIEW = (
    "This account is held under security review: the DPO or support lifts the hold by "
    "recording the outcome of its investigation."
)


def require_not_held(user: User, investigation) -> None:
    """A security hold changes only through its investigation, so that the account and the
    investigation never disagree."""
    if investigation is None and user_held_for_review(user):
        raise PermissionDenied(HELD_FOR_REVIEW)


def user_reactivate(*, user: User, by, investigation=None) -> User:
    """Let a suspended account log in again. An account a security rule holds is reactivated
    only as the outcome of its ``investigation``."""
    require_manager(by, user)
    require_status(user, User.Status.SUSPENDED, action="reactivated")
    require_not_held(user, investigation)
    with transaction.atomic():
        user.status = User.Status.ACTIVE
        user.suspended_reason = ""
        user.suspended_at = None
        user.suspended_by = None
        user.save(update_fields=["status", "suspended_reason", "suspended_at", "suspended_by"])
        audit.record(by, "user.reactivate", target=user)
        notice_enqueue(user=user, kind="reactivated")
    return user


TERMINATE_DECIDED_BY_DPO = (
    "Only the data protection officer terminates an account outside an investigation: "
    "suspend it, and record termination as the investigation's outcome."
)


def user_terminate(
    *, user: User, by, investigation=None, closed_at: datetime | None = None
) -> User:
    """End an account for good. The retention clock for its data starts now.

    Support terminates only as the outcome of an ``investigation`` (a security.Investigation);
    outside one it is the DPO's decision, and a security hold changes only through its
    investigation. The closure of an organisation is the contract's end, not a judgement of
    the person: it ends every account at the one moment it records, ``closed_at``.
    """
    require_manager(by, user)
    if closed_at is None:
        if investigation is None and actor_is_staff(by) and not actor_decides(by):
            raise PermissionDenied(TERMINATE_DECIDED_BY_DPO)
        require_not_held(user, investigation)
    require_status(
        user, User.Status.ACTIVE, User.Status.SUSPENDED, User.Status.INVITED, action="terminated"
    )
    details = {"investigation": investigation.pk} if investigation is not None else {}
    return user_termination_apply(user=user, at=closed_at or timezone.now(), by=by, details=details)


def user_termination_apply(*, user: User, at: datetime, by=None, details: dict) -> User:
    """What ending an account does, once the decision is taken: the account ends at ``at``,
    its open invitations are revoked and every session ends. No permission check: the callers
    decide (``user_terminate``), or replay a decision taken before (a backup's restore, which
    ends again the accounts the erasure ledger says were ended after the backup)."""
    with transaction.atomic():
        user.status = User.Status.TERMINATED
        user.terminated_at = at
        user.terminated_by = by if isinstance(by, User) else None
        user.save(update_fields=["status", "terminated_at", "terminated_by"])
        user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=at
        )
        user_sessions_end(user)
        audit.record(by, "user.terminate", target=user, details=details)
    return user


def user_reset_mfa(*, user: User, by) -> User:
    """Remove the user's authenticator, passkeys and backup codes; they enrol again at the
    next login.

    The organisation's client admin or the DPO may do it; support may not.
    """
    require_manager(by, user)
    if getattr(by, "role", None) == Role.SUPPORT:
        raise PermissionDenied("Only the DPO or the organisation's client admin can reset MFA.")
    with transaction.atomic():
        # Every device class django-otp knows (authenticator apps, passkeys, backup codes);
        # each delete() counts the device's own codes too, as the audit entry always has.
        removed = sum(device.delete()[0] for device in devices_for_user(user, confirmed=None))
        user_sessions_end(user)
        audit.record(by, "user.mfa_reset", target=user, details={"devices_removed": removed})
        notice_enqueue(user=user, kind="mfa_reset", context={"by": by.full_name})
    return user


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
    """Restrict processing (Article 18): the data is only stored; every restricted purpose
    (usage reports, aggregates and analytics, the test dataset, marketing) leaves them out."""
    with transaction.atomic():
        # A notice of lifting given for an earlier restriction does not cover a new one; an
        # account already restricted keeps its restriction, and the notice given for it.
        new = list(users.filter(processing_restricted_at__isnull=True).values_list("pk", flat=True))
        changed = _flag_users(
            users=users, field="processing_restricted_at", on=True, by=by, action="user.restrict"
        )
        User.objects.filter(pk__in=new).update(restriction_lift_notified_at=None)
    return changed


def users_notify_restriction_lift(*, users, by) -> int:
    """Record that the people were told their restriction is about to be lifted (Article
    18(3)); the caller sends the notice. Only restricted people are concerned."""
    return _flag_users(
        users=users.filter(processing_restricted_at__isnull=False),
        field="restriction_lift_notified_at",
        on=True,
        by=by,
        action="user.restriction_lift_notice",
    )


def users_lift_restriction(*, users, by) -> int:
    """Lift a restriction: only once the person was told it would be (Article 18(3))."""
    with transaction.atomic():
        untold = users.filter(
            processing_restricted_at__isnull=False, restriction_lift_notified_at__isnull=True
        )
        if untold.exists():
            raise ValidationError(
                "Tell the person the restriction will be lifted before lifting it."
            )
        changed = _flag_users(
            users=users,
            field="processing_restricted_at",
            on=False,
            by=by,
            action="user.restriction_lift",
        )
        users.update(restriction_lift_notified_at=None)
    return changed


def users_uphold_objection(*, users, purposes, by, reference: str = "") -> int:
    """An objection to these purposes of processing on legitimate interests was upheld for
    these people: each purpose leaves them out from now on. Purposes already objected to are
    left alone (idempotent); the count is of the objections recorded now."""
    purposes = [Purpose(purpose) for purpose in purposes]
    if not set(purposes) <= STOPPABLE_ON_OBJECTION:
        # Security monitoring and support go on: the letter gives the grounds instead.
        raise ValidationError("An objection can stop only usage reports, analytics and marketing.")
    recorded = 0
    with transaction.atomic():
        for user in users.order_by("pk"):
            for purpose in purposes:
                _objection, created = PurposeObjection.objects.get_or_create(
                    user=user,
                    purpose=purpose,
                    defaults={"upheld_by": by, "request_reference": reference},
                )
                if created:
                    recorded += 1
                    audit.record(
                        by,
                        "user.objection_upheld",
                        target=user,
                        details={"purpose": purpose.value, "reference": reference},
                    )
    return recorded
