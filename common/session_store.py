"""Django's database session store (settings.SESSION_ENGINE), less one query per new session.

Django asks the table whether a fresh random key is taken before it INSERTs the session under
it. The INSERT itself refuses a taken key (it is the primary key) and ``create()`` then draws
another, so the question only costs every login a round trip.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
