from cookies.catalogue import PERFORMANCE
from cookies.consent import consent_of, current_theme
from cookies.remember import remembered_visitor


def consent(request):
    """The visitor's cookie consent, for the banner, the analytics script, the theme and the
    greeting of a visitor the site remembers (functionality cookies)."""
    state = consent_of(request)
    return {
        "cookie_consent": state,
        "cookie_analytics_on": state.allows(PERFORMANCE),
        "cookie_theme": current_theme(request),
        "cookie_remembered": remembered_visitor(request),
    }
