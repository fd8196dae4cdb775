"""Refuses control characters in the address before any view or query sees them."""

import unicodedata

from django.core.exceptions import BadRequest
from django.http import Http404

# Where text may legitimately carry them: a search box pasted into, a textarea sent by GET.
QUERY_WHITESPACE = frozenset("\t\n\r")


def _is_control(char: str) -> bool:
    # Cc: C0 and C1 controls, NUL among them (PostgreSQL refuses NUL in text). Cs: a lone
    # surrogate, which is not text at all and cannot be encoded to store or to log.
    return unicodedata.category(char) in ("Cc", "Cs")


def path_is_clean(path: str) -> bool:
    return path.isprintable() or not any(_is_control(char) for char in path)


def query_is_clean(query) -> bool:
    for key, values in query.lists():
        for text in (key, *values):
            if not text.isprintable() and any(
                _is_control(char) and char not in QUERY_WHITESPACE for char in text
            ):
                return False
    return True


class ControlCharacterMiddleware:
    """A control character in a path segment is an address that exists nowhere (404); in the
    query string it is a malformed request (400). Both answer through the site's error
    handlers: the JSON error under /api/, the error pages elsewhere.

    It comes after authentication, so the error pages know who is signed in, and before
    anything that records or looks up the address (usage capture, views, the database)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not path_is_clean(request.path_info):
            raise Http404
        if not query_is_clean(request.GET):
            raise BadRequest("A control character in the query string.")
        return self.get_response(request)
