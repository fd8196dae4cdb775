"""Authentication backends (settings.AUTHENTICATION_BACKENDS).

``SsoRequiredBackend`` sits before Django's ModelBackend and stops a password login of anyone
whose organisation requires single sign-on (its break-glass admin aside): it raises
PermissionDenied, which ends ``authenticate()`` there, with the answer a wrong password gets
and after the same hashing work, so neither the answer nor its time tells which it was.
``SsoBackend`` checks no credentials at all: a single sign-on login names it, so that the
session it opens is loaded by a backend that never takes a password.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts.models import User, UserManager
from sso.selectors import password_login_refused


class SsoRequiredBackend:
    # Authentication only: no get_user, so no session is ever loaded through this backend
    # (and the test client's force_login passes over it).

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = (
            User.objects.filter(email=UserManager.normalize_email(username))
            .select_related("organisation__sso_connection")
            .first()
        )
        if user is None:
            return None
        if not password_login_refused(user):
            if request is not None:
                # Asked and answered for this login: sso.receivers need not ask again.
                request.sso_password_allowed_for = user.pk
            return None
        User().set_password(password)  # the hashing a password check would have cost
        raise PermissionDenied


class SsoBackend(ModelBackend):
    def authenticate(self, request, **credentials):
        return None


SSO_BACKEND = f"{SsoBackend.__module__}.{SsoBackend.__qualname__}"
