"""Control characters in the address, the headers or the cookies never reach a view, a
query or a log: HTTP has no use for them, and PostgreSQL refuses a NUL in text."""

import unicodedata

from django.core.exceptions import BadRequest
from django.http import Http404

# Where text may legitimately carry them: a search box pasted into, a textarea sent by GET.
QUERY_WHITESPACE = frozenset("\t\n\r")
# Header values reach Django as Latin-1: the bytes of UTF-8 text read as C1 controls there, so
# only C0 controls and DEL are refused in headers.
HEADER_CONTROLS = frozenset(chr(code) for code in (*range(0x20), 0x7F)) - {"\t"}


def _is_control(char: str) -> bool:
    # Cc: C0 and C1 controls, NUL among them. Cs: a lone surrogate, which is not text at all
    # and cannot be encoded to store or to log.
    return unicodedata.category(char) in ("Cc", "Cs")


def text_is_clean(text: str, allowed: frozenset = frozenset()) -> bool:
    return text.isprintable() or not any(_is_control(char) and char not in allowed for char in text)


def query_is_clean(query) -> bool:
    return all(
        text_is_clean(text, QUERY_WHITESPACE)
        for key, values in query.lists()
        for text in (key, *values)
    )


def headers_are_clean(meta) -> bool:
    return not any(
        not value.isprintable() and HEADER_CONTROLS.intersection(value)
        for name, value in meta.items()
        if name.startswith("HTTP_") and isinstance(value, str)
    )


class MalformedCookieMiddleware:
    """A cookie holding a control character (``"\\000"`` unquotes to NUL) is no cookie this
    site set: it is dropped before the session, CSRF or consent code looks it up.

    It comes before SessionMiddleware, which reads the session key from the cookies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items() if not text_is_clean(value)]:
            del request.COOKIES[name]
        return self.get_response(request)


class ControlCharacterMiddleware:
    """A control character in a path segment is an address that exists nowhere (404); in the
    query string or a header it is a malformed request (400). Both answer through the site's
    error handlers: the JSON error under /api/, the error pages elsewhere.

    It comes after authentication, so the error pages know who is signed in, and before
    anything that records or looks up the address (usage capture, views, the database)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not text_is_clean(request.path_info):
            raise Http404
        if not query_is_clean(request.GET):
            raise BadRequest("A control character in the query string.")
        if not headers_are_clean(request.META):
            raise BadRequest("A control character in a header.")
        return self.get_response(request)
