"""The company's own people: inviting DPO and support colleagues, and off-boarding them.

Only the DPO or a superuser invites and off-boards; support may look at the list. ``by`` is the
acting user, or None for the system (``create_staff``, run by whoever holds the server, invites
the company's first DPO before anyone can log in).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

import audit
from accounts.models import STAFF_ROLES, Invitation, Role, User, UserManager
from accounts.selectors import staff_active_dpos, staff_may_manage
from accounts.services.invitations import invitation_issue
from accounts.services.users import EmailTaken, InvalidTransition, user_terminate
from accounts.signals import staff_assignments_must_return

ONLY_THE_DPO = "Only the data protection officer (or a superuser) invites and off-boards staff."
LAST_DPO = (
    "This is the last active data protection officer: invite another DPO, and let them accept "
    "their invitation, before off-boarding this one."
)

NOT_INVITED = (
    "This colleague has already accepted their invitation (or left): no new link is needed."
)


def _require_staff_manager(by, *, system_allowed: bool = True) -> None:
    if by is None and system_allowed:
        return
    if not staff_may_manage(by):
        raise PermissionDenied(ONLY_THE_DPO)


def _require_staff_member(user: User) -> None:
    if user.role not in STAFF_ROLES:
        raise PermissionDenied("This is not a staff account.")


def staff_invite(*, email: str, full_name: str, role: str, by) -> User:
    """Create an invited DPO or support account (no organisation) and e-mail its link."""
    _require_staff_manager(by)
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Staff are data protection officers or support."})
    email = UserManager.normalize_email(email)
    full_name = (full_name or "").strip() or email.split("@")[0]
    user = User(
        email=email, full_name=full_name, organisation=None, role=role, status=User.Status.INVITED
    )
    user.set_unusable_password()
    # Validate the address before asking whether it is taken: a malformed one is never "taken".
    user.full_clean(validate_unique=False, validate_constraints=False)
    if User.objects.filter(email=email).exists():
        raise EmailTaken(email)
    try:
        with transaction.atomic():
            user.save()
            invitation_issue(user=user, by=by)
            audit.record(by, "staff.invite", target=user, details={"role": role})
    except IntegrityError as exc:
        raise EmailTaken(email) from exc
    return user


def staff_reinvite(*, user: User, by) -> Invitation:
    """A fresh link for a staff member who has not accepted yet; older links stop working."""
    _require_staff_manager(by)
    _require_staff_member(user)
    if user.status != User.Status.INVITED:
        raise InvalidTransition(NOT_INVITED)
    with transaction.atomic():
        invitation = invitation_issue(user=user, by=by)
        audit.record(by, "staff.reinvite", target=user)
    return invitation


def staff_offboard(*, user: User, by: User) -> User:
    """Terminate a staff member's account and return their open cases to the queues.

    The account ends as any other does (accounts.services.users.user_terminate: sessions end,
    open invitation links die, the retention clock starts); then each app that assigns cases
    unassigns this person's open ones, with its own audit entries, in this transaction.
    """
    _require_staff_manager(by, system_allowed=False)
    _require_staff_member(user)
    if user.pk == by.pk:
        raise PermissionDenied("You cannot off-board yourself: ask a colleague.")
    if user.is_superuser and not by.is_superuser:
        raise PermissionDenied("Only a superuser off-boards a superuser.")
    with transaction.atomic():
        # Locks the active DPOs: two DPOs off-boarding each other at once cannot leave none.
        dpos = list(staff_active_dpos().select_for_update().values_list("pk", flat=True))
        if user.role == Role.DPO and user.status == User.Status.ACTIVE and dpos == [user.pk]:
            raise ValidationError(LAST_DPO)
        user_terminate(user=user, by=by)
        staff_assignments_must_return.send(sender=User, user=user, by=by)
        audit.record(by, "staff.offboard", target=user, details={"role": user.role})
    return user
