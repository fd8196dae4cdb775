"""The life-cycle steps on one user (suspend, reactivate, terminate, reset two-step login),
offered by the console (accounts.views.console) and the back office's people pages
(accounts.views.people) alike."""

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import User
from accounts.services.invitations import user_reinvite
from accounts.services.users import (
    user_reactivate,
    user_reset_mfa,
    user_suspend,
    user_terminate,
)


@dataclass(frozen=True)
class UserAction:
    """A life-cycle step: a confirmation page on GET, the service call on POST.

    The back office's people pages (accounts.views.people) offer the same steps through
    ``confirm_user_action``.
    """

    slug: str
    title: str
    explanation: str
    button: str
    done: str
    run: Callable[..., object]
    offered_for: tuple[str, ...]
    needs_reason: bool = False
    danger: bool = True


S = User.Status
USER_ACTIONS = {
    action.slug: action
    for action in [
        UserAction(
            "reinvite",
            "Send the invitation again",
            "A new link goes out by e-mail; any earlier link stops working.",
            "Send a new invitation",
            "A new invitation was sent to {person.email}.",
            lambda *, user, by: user_reinvite(user=user, by=by),
            (S.INVITED,),
            danger=False,
        ),
        UserAction(
            "suspend",
            "Suspend the account",
            "The user can no longer log in and every open session ends now. They are told by "
            "e-mail, with your reason.",
            "Suspend the account",
            "{person} was suspended.",
            lambda *, user, by, reason: user_suspend(user=user, by=by, reason=reason),
            (S.ACTIVE, S.INVITED),
            needs_reason=True,
        ),
        UserAction(
            "reactivate",
            "Reactivate the account",
            "The user can log in again. They are told by e-mail.",
            "Reactivate the account",
            "{person} was reactivated.",
            lambda *, user, by: user_reactivate(user=user, by=by),
            (S.SUSPENDED,),
            danger=False,
        ),
        UserAction(
            "terminate",
            "Terminate the account",
            "The account ends for good: it cannot be reactivated. Open sessions end now, and "
            "the retention period for its data starts.",
            "Terminate the account",
            "{person}'s account was terminated.",
            lambda *, user, by: user_terminate(user=user, by=by),
            (S.ACTIVE, S.SUSPENDED, S.INVITED),
        ),
        UserAction(
            "reset-mfa",
            "Reset two-step login",
            "The user's authenticator app, passkeys and backup codes are removed and their "
            "sessions end. They set up an authenticator or a passkey again at their next login.",
            "Reset two-step login",
            "{person}'s two-step login was reset.",
            lambda *, user, by: user_reset_mfa(user=user, by=by),
            (S.ACTIVE, S.SUSPENDED),
        ),
    ]
}


# A security hold is lifted or confirmed only through its investigation (the service refuses).
CHANGED_ONLY_BY_INVESTIGATION = frozenset({"reactivate", "terminate"})
