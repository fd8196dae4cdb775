from cookies.catalogue import PERFORMANCE
from cookies.consent import consent_of, current_theme


def consent(request):
    """The visitor's cookie consent, for the banner, the analytics script and the theme."""
    state = consent_of(request)
    return {
        "cookie_consent": state,
        "cookie_analytics_on": state.allows(PERFORMANCE),
        "cookie_theme": current_theme(request),
    }
