"""View decorators for the console and the back office: who may enter, with MFA verified.

The MFA middleware normally stops an unverified session first; these are the areas' own
checks, so neither depends on the order of middleware. Responses are never cached: they
hold personal data.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from common.roles import STAFF_ROLES, Role


def is_otp_verified(user) -> bool:
    """Has this session passed the second factor? (django-otp's OTPMiddleware sets it.)"""
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def _area_required(*, allowed: Callable, refusal: str, unverified: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and allowed(user)):
                response = render(request, "403.html", {"message": refusal}, status=403)
            elif not is_otp_verified(user):
                response = render(request, "403.html", {"message": unverified}, status=403)
            else:
                response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator


staff_required = _area_required(
    allowed=lambda user: user.role in STAFF_ROLES,
    refusal="The back office is for the privacy and support team only.",
    unverified=(
        "The back office needs two-step verification. "
        "Log out, then log in again with your authenticator app."
    ),
)

# The breach register, retention and the record of processing: the DPO's alone, not support's.
dpo_required = _area_required(
    allowed=lambda user: user.role == Role.DPO,
    refusal="This part of the back office is for the Data Protection Officer only.",
    unverified=(
        "The back office needs two-step verification. "
        "Log out, then log in again with your authenticator app."
    ),
)

client_admin_required = _area_required(
    allowed=lambda user: user.is_client_admin and user.organisation_id,
    refusal="The console is for client admins, to manage their organisation's users.",
    unverified="Confirm your two-step login (MFA) before you use the console.",
)
