"""REST permissions: API-key scopes, and the session users who may use the same endpoints."""

from rest_framework.permissions import BasePermission

from accounts.models import ApiScope
from accounts.selectors import actor_is_api_key, actor_is_staff
from common.decorators import is_otp_verified


class HasScope(BasePermission):
    """The caller may use the endpoints of one scope.

    - an API key must carry the scope (``HasScope(ApiScope.USERS)``);
    - a session user must be a client admin of an organisation, or DPO/support staff, and
      must have passed MFA if their role or organisation requires it. django-otp's
      middleware covers sessions only, so this is where the API enforces MFA.

    Which rows the caller then sees is the queryset's business (``users_visible_to``).

    Use an instance where DRF expects a class: ``permission_classes = [HasScope("users")]``.
    DRF calls it once per request, and each call gives a fresh copy, so the message set for
    one request never leaks into another.
    """

    message = "You do not have permission to do that."
    code = "permission_denied"

    def __init__(self, scope: str):
        if scope not in ApiScope.values:
            raise ValueError(f"Unknown API scope {scope!r}")
        self.scope = scope

    def __call__(self) -> "HasScope":
        return type(self)(self.scope)

    def __repr__(self) -> str:
        return f"HasScope({self.scope!r})"

    def _deny(self, message: str, code: str = "permission_denied") -> bool:
        self.message, self.code = message, code
        return False

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers "not authenticated"
        if actor_is_api_key(user):
            if user.has_scope(self.scope):
                return True
            return self._deny(
                f"This API key does not carry the “{self.scope}” scope.", "missing_scope"
            )
        if not user.is_active or not (
            actor_is_staff(user) or (user.is_client_admin and user.organisation_id)
        ):
            return self._deny("Only client admins and privacy staff may use this endpoint.")
        if user.mfa_required and not is_otp_verified(user):
            return self._deny(
                "Confirm your two-step login (MFA) before using the API.", "mfa_required"
            )
        return True
