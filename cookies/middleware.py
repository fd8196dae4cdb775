"""Server-side cookie gating: no response sets a cookie the visitor has not consented to.

First in MIDDLEWARE, so that on the way out it runs last and sees every Set-Cookie that any
view, middleware or library added (session, CSRF, messages included).
"""

import logging

from cookie_consent.conf import settings as consent_settings
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.cache import patch_vary_headers

from cookies.catalogue import catalogue_get
from cookies.consent import consent_of, consent_of_response, is_deletion

logger = logging.getLogger("cookies.enforcement")


def _where(request) -> str:
    # The view's name, never the path: a path may hold a token (password reset, rights links).
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "-"


def _always_necessary() -> frozenset[str]:
    """Django's own session, CSRF and messages cookies and the consent cookie: strictly
    necessary whatever the catalogue says (it lists them too, for the cookie policy).

    Judging them without the catalogue spares most requests a cache read.
    """
    return frozenset(
        {
            settings.SESSION_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
            CookieStorage.cookie_name,
            consent_settings.COOKIE_CONSENT_NAME,
        }
    )


class ConsentEnforcementMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if hasattr(request, "_cookie_consent_state"):
            # The page depends on the Global Privacy Control signal (banner, settings, scripts).
            patch_vary_headers(response, ("Sec-GPC",))
        necessary = _always_necessary()
        if not (set(response.cookies) - necessary or set(request.COOKIES) - necessary):
            return response
        self.enforce(request, response)
        return response

    def enforce(self, request, response) -> None:
        catalogue = catalogue_get()
        # A decision made by this very response (the consent form) governs the response.
        consent = consent_of_response(request, response, catalogue) or consent_of(request)

        for name, morsel in list(response.cookies.items()):
            if is_deletion(morsel) or name == consent_settings.COOKIE_CONSENT_NAME:
                continue
            group = catalogue.group_of_cookie(name)
            if group is None:
                del response.cookies[name]
                logger.warning(
                    "Removed Set-Cookie %r: the cookie is in no cookie group (view %s).",
                    name,
                    _where(request),
                )
            elif not group.required and not consent.allows(group.varname):
                del response.cookies[name]
                logger.warning(
                    "Removed Set-Cookie %r: no consent to the %r group (view %s).",
                    name,
                    group.varname,
                    _where(request),
                )

        # Withdrawn (or never given) consent: the browser drops what it still holds.
        for group in catalogue.optional:
            if consent.allows(group.varname):
                continue
            for name in group.cookies:
                if name in request.COOKIES and name not in response.cookies:
                    response.delete_cookie(name, samesite="Lax")
