"""Every cookie the app may set, by group, and the current cookie-policy version: cached.

The enforcement middleware reads this on every response that touches cookies, so it lives in
the default cache (Redis when there are several processes) and is dropped whenever a group, a
cookie or a cookie-policy version changes (cookies.receivers, cookies.services).
django-cookie-consent's own cache holds only the optional groups; we need the required ones
too, to tell a strictly necessary cookie from a cookie in no group.
"""

from dataclasses import dataclass

from cookie_consent.models import CookieGroup
from django.core.cache import cache

from cookies.models import PolicyVersion

CACHE_KEY = "cookies:catalogue:v1"
CACHE_TIMEOUT = 60 * 60

# Group varnames, as the data migration seeds them.
NECESSARY = "necessary"
PERFORMANCE = "performance"
FUNCTIONALITY = "functionality"

ANALYTICS_COOKIE = "pd_analytics"
THEME_COOKIE = "pd_theme"
REMEMBER_COOKIE = "pd_remember"
THEMES = [
    ("standard", "Standard"),
    ("dark", "Dark"),
    ("contrast", "High contrast"),
]


@dataclass(frozen=True)
class Group:
    varname: str
    name: str
    description: str
    required: bool
    # django-cookie-consent's version: the creation time of the group's newest cookie. A
    # consent given before a cookie was added no longer covers the group.
    version: str
    cookies: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    groups: tuple[Group, ...]
    policy_version: int  # the current published cookie policy; 0 when none is published

    @property
    def optional(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if not g.required)

    def group(self, varname: str) -> Group | None:
        return next((g for g in self.groups if g.varname == varname), None)

    def group_of_cookie(self, name: str) -> Group | None:
        return next((g for g in self.groups if name in g.cookies), None)


def _build() -> Catalogue:

    groups = []
    for group in CookieGroup.objects.order_by("ordering", "id").prefetch_related("cookie_set"):
        cookies = list(group.cookie_set.all())
        groups.append(
            Group(
                varname=group.varname,
                name=group.name,
                description=group.description,
                required=group.is_required,
                version=group.get_version(),
                cookies=tuple(c.name for c in cookies),
            )
        )
    latest = (
        PolicyVersion.objects.filter(kind=PolicyVersion.Kind.COOKIES, number__isnull=False)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return Catalogue(groups=tuple(groups), policy_version=latest or 0)


def catalogue_get() -> Catalogue:
    return cache.get_or_set(CACHE_KEY, _build, timeout=CACHE_TIMEOUT)


def catalogue_forget() -> None:
    cache.delete(CACHE_KEY)
