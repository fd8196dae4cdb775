"""View decorators shared by the back-office apps."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from accounts.models import STAFF_ROLES


def _forbidden(request, message: str):
    return render(request, "403.html", {"message": message}, status=403)


def is_otp_verified(user) -> bool:
    """Has this session passed the second factor? (django-otp's OTPMiddleware sets it.)"""
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def staff_required(view):
    """The back office: DPO and support staff only, with a second factor verified.

    A visitor who is not logged in is sent to the login page; anyone else gets a friendly 403
    that names no data. Responses are never cached: they hold personal data.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role not in STAFF_ROLES or not user.is_active:
            response = _forbidden(
                request, "The back office is for the privacy and support team only."
            )
        elif not is_otp_verified(user):
            response = _forbidden(
                request,
                "The back office needs two-step verification. "
                "Log out, then log in again with your authenticator app.",
            )
        else:
            response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped
