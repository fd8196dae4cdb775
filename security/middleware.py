"""Session tracking, the back-office idle timeout, and two-step login enforcement.

Both middlewares sit after AuthenticationMiddleware, OTPMiddleware and MessageMiddleware.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from common.api import error_body
from security.selectors import is_idle_limited
from security.services import mfa
from security.services.sessions import last_refreshed, user_session_touch


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


class SessionActivityMiddleware:
    """Ends idle back-office sessions, and keeps each session's UserSession row current."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and is_idle_limited(user):
            # The activity mark is refreshed once a minute, so a session may end up to a
            # minute early, never late.
            last = last_refreshed(request)
            if last is not None and timezone.now() - last > settings.BACKOFFICE_IDLE_TIMEOUT:
                logout(request)
                if not _is_api(request.path_info):
                    minutes = int(settings.BACKOFFICE_IDLE_TIMEOUT.total_seconds() // 60)
                    messages.info(
                        request,
                        f"You were logged out after {minutes} minutes without activity.",
                    )
                    return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        # DRF replaces request.user with an API key's principal; only a session's user counts.
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and hasattr(request, "session")
            and request.session.get(SESSION_KEY) == str(user.pk)
        ):
            user_session_touch(request=request, user=user)
        return response


class MfaRequiredMiddleware:
    """A logged-in user who has not passed the second step reaches only the two-step pages.

    Users with a device verify it; users who must have one (privileged roles, superusers,
    members of an organisation that requires it) enrol one. Everyone else passes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._exempt(request.path_info):
            target = mfa.second_step(request)
            if target is not None and not self._uses_api_key(request):
                return self._refuse(request, target)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("accounts:logout"),
            "/accounts/mfa/",
            "/accounts/invitation/",
            "/" + settings.STATIC_URL.lstrip("/"),
            reverse("healthz"),
        )
        return path.startswith(exempt)

    @staticmethod
    def _uses_api_key(request: HttpRequest) -> bool:
        # A request that presents a key is judged by its key alone, whatever cookie comes too.
        return _is_api(request.path_info) and request.META.get("HTTP_AUTHORIZATION", "").startswith(
            "Api-Key "
        )

    @staticmethod
    def _refuse(request: HttpRequest, target: str) -> HttpResponse:
        if _is_api(request.path_info):
            body = error_body(
                "mfa_required", "Finish two-step login in the browser before using the API."
            )
            return JsonResponse(body, status=403)
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
