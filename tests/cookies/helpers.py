from cookie_consent.util import dict_to_cookie_str
from django.conf import settings

from cookies.catalogue import catalogue_get
from cookies.consent import consent_cookie_value


def decide(client, action: str, *, categories=(), method="banner", next_url="/"):
    """Press a button of the banner (or the settings page), as a browser without JS would."""
    return client.post(
        "/cookies/consent/",
        {"action": action, "method": method, "categories": list(categories), "next": next_url},
    )


def consent_cookie(*, accepted: set[str], token: str = "test-visitor-token-0001") -> str:  # noqa: S107
    """A consent cookie's value as the consent form would write it now."""
    values = consent_cookie_value(accepted=accepted, catalogue=catalogue_get(), visitor_token=token)
    return dict_to_cookie_str(values)


def set_consent(client, *, accepted: set[str]) -> None:
    client.cookies[settings.COOKIE_CONSENT_NAME] = consent_cookie(accepted=accepted)
