"""Authentication backends (settings.AUTHENTICATION_BACKENDS).

``PasswordBackend`` is Django's ModelBackend, except that it refuses the password of anyone
whose organisation requires single sign-on (the break-glass admin aside): the same refusal
as a wrong password, so the answer tells nobody which it was. ``SsoBackend`` checks no
credentials at all: a single sign-on login names it, so that the session it opens is loaded
by a backend that never takes a password.
"""

from django.contrib.auth.backends import ModelBackend

from sso.selectors import password_login_refused


class PasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and password_login_refused(user):
            return None
        return user


class SsoBackend(ModelBackend):
    def authenticate(self, request, **credentials):
        return None


SSO_BACKEND = f"{SsoBackend.__module__}.{SsoBackend.__qualname__}"
