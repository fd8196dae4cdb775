"""The three cookie groups, with every cookie the app sets, its purpose and its lifetime.

A cookie the app sets that is not listed here is removed from every response by
cookies.middleware, and tests/cookies/test_every_cookie_is_in_a_group.py fails.
"""

from django.db import migrations

GROUPS = [
    {
        "varname": "necessary",
        "name": "Strictly necessary",
        "description": (
            "Needed for the site to work: logging in, protecting forms, showing messages and "
            "remembering your cookie choices. They need no consent and cannot be switched off."
        ),
        "is_required": True,
        "is_deletable": False,
        "ordering": 0,
        "cookies": [
            ("sessionid", "Keeps you logged in, and carries your session between pages.", "12 hours"),
            ("csrftoken", "Protects forms against cross-site request forgery.", "1 year"),
            (
                "messages",
                "Carries a one-off message (such as “Saved”) to the next page you see.",
                "Until you close the browser",
            ),
            (
                "cookie_consent",
                "Remembers your cookie choices and the cookie policy version you chose under, "
                "with a random id that lets us prove your choice without knowing who you are.",
                "1 year",
            ),
        ],
    },
    {
        "varname": "performance",
        "name": "Performance and analytics",
        "description": (
            "Our own first-party analytics: which pages are visited and how often. Nothing is "
            "sent to anyone else, and the counts name no one."
        ),
        "is_required": False,
        "is_deletable": True,
        "ordering": 1,
        "cookies": [
            (
                "pd_analytics",
                "A random id that tells a returning visitor from a new one in our page counts.",
                "1 year",
            ),
        ],
    },
    {
        "varname": "functionality",
        "name": "Functionality",
        "description": "Remembers preferences you set, such as the display theme.",
        "is_required": False,
        "is_deletable": True,
        "ordering": 2,
        "cookies": [
            ("pd_theme", "Remembers the display theme you chose.", "1 year"),
        ],
    },
]


def seed(apps, schema_editor):
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    Cookie = apps.get_model("cookie_consent", "Cookie")
    CookieDetail = apps.get_model("cookies", "CookieDetail")
    for spec in GROUPS:
        spec = dict(spec)
        cookies = spec.pop("cookies")
        group, _ = CookieGroup.objects.update_or_create(varname=spec["varname"], defaults=spec)
        for name, purpose, lifetime in cookies:
            cookie, _ = Cookie.objects.update_or_create(
                cookiegroup=group, name=name, domain="", defaults={"description": purpose}
            )
            CookieDetail.objects.update_or_create(cookie=cookie, defaults={"lifetime": lifetime})
    _forget_caches()


def _forget_caches():
    # Historical models skip the real ones' cache clearing: drop ours and django-cookie-consent's.
    # Imported when the migration runs, not when the loader reads every migration.
    from cookie_consent.cache import delete_cache

    from cookies.catalogue import catalogue_forget

    delete_cache()
    catalogue_forget()


def unseed(apps, schema_editor):
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    CookieGroup.objects.filter(varname__in=[g["varname"] for g in GROUPS]).delete()
    _forget_caches()


class Migration(migrations.Migration):
    dependencies = [
        ("cookies", "0001_initial"),
        ("cookie_consent", "0004_cookie_natural_key"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
