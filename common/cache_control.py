"""Cache-Control: no-store on everything but the public pages.

The rule: every response the app's views and middleware produce says `no-store`, except an
anonymous GET or HEAD of a public page (PUBLIC_VIEWS: the home page, the privacy notice, the
cookie policy and their past versions). Static files never reach this middleware: WhiteNoise,
above it, answers them with its own caching headers.

Deny by default, so that a new page holding personal data is never cached by a browser or a
shared proxy because someone forgot to mark it. A signed-in visitor's copy of a public page is
not stored either: the page header shows their name.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PUBLIC_VIEWS = frozenset(
    {
        "home",
        "privacy",
        "cookies",
        "cookies:privacy-version",
        "cookies:cookie-policy-version",
    }
)


def may_be_stored(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    match = request.resolver_match
    return match is not None and match.view_name in PUBLIC_VIEWS


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not may_be_stored(request):
            # Sets "max-age=0, no-cache, no-store, must-revalidate, private" and Expires.
            add_never_cache_headers(response)
        return response
