"""Authentication backends (settings.AUTHENTICATION_BACKENDS).

``PasswordBackend`` is the password login: Django's ModelBackend with the single sign-on rule,
on one read of the person (with their organisation and its connection, which the rule and the
pages after the login need). Anyone whose organisation requires single sign-on (its break-glass
admin aside) is refused with the answer a wrong password gets and after the same hashing work,
so neither the answer nor its time tells which it was.
``SsoBackend`` checks no credentials at all: a single sign-on login names it, so that the
session it opens is loaded by a backend that never takes a password.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts.models import User, UserManager
from sso.selectors import password_login_refused

# Set on the user PasswordBackend returns: the single sign-on rule has allowed this very password
# login, so sso.receivers need not ask it again.
SSO_RULE_PASSED = "sso_rule_passed"


class PasswordBackend(ModelBackend):
    # Every password that fails here raises PermissionDenied rather than returning None: that
    # ends authenticate(), so ModelBackend, listed after this backend only to load the sessions
    # that name it, never reads the person and checks the same password a second time.

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.select_related("organisation__sso_connection").get(
                email=UserManager.normalize_email(username)
            )
        except User.DoesNotExist:
            user = None
        if user is None or password_login_refused(user):
            # The hashing a password check would have cost (ModelBackend's answer to an unknown
            # address too).
            User().set_password(password)
            raise PermissionDenied
        if not (user.check_password(password) and self.user_can_authenticate(user)):
            raise PermissionDenied
        setattr(user, SSO_RULE_PASSED, True)
        return user


class SsoBackend(ModelBackend):
    def authenticate(self, request, **credentials):
        return None


SSO_BACKEND = f"{SsoBackend.__module__}.{SsoBackend.__qualname__}"
