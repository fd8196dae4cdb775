"""The functionality group does what the privacy notice says: it recognises a returning visitor.

Adds the ``pd_remember`` cookie (the e-mail address last used to log in, filled in on the login
page, and the first name the site greets the visitor by) and says so in the group's description.
A new cookie makes the group's version newer, so earlier functionality consents no longer
cover it: those visitors are asked again.
"""

from django.db import migrations

OLD_DESCRIPTION = "Remembers preferences you set, such as the display theme."
NEW_DESCRIPTION = (
    "Recognises you when you come back (the login page fills in the e-mail address you last "
    "logged in with and greets you by your first name) and remembers preferences you set, "
    "such as the display theme."
)
COOKIE = "pd_remember"
PURPOSE = (
    "Remembers the e-mail address you last logged in with and your first name, so that the "
    "login page is filled in and greets you. Set only when you log in."
)
LIFETIME = "90 days"


def _forget_caches():
    # Historical models skip the real ones' cache clearing (see 0002_seed_cookie_groups).
    from cookie_consent.cache import delete_cache

    from cookies.catalogue import catalogue_forget

    delete_cache()
    catalogue_forget()


def seed(apps, schema_editor):
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    Cookie = apps.get_model("cookie_consent", "Cookie")
    CookieDetail = apps.get_model("cookies", "CookieDetail")
    group = CookieGroup.objects.filter(varname="functionality").first()
    if group is None:
        return
    if group.description == OLD_DESCRIPTION:
        group.description = NEW_DESCRIPTION
        group.save(update_fields=["description"])
    cookie, _ = Cookie.objects.update_or_create(
        cookiegroup=group, name=COOKIE, domain="", defaults={"description": PURPOSE}
    )
    CookieDetail.objects.update_or_create(cookie=cookie, defaults={"lifetime": LIFETIME})
    _forget_caches()


def unseed(apps, schema_editor):
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    Cookie = apps.get_model("cookie_consent", "Cookie")
    Cookie.objects.filter(cookiegroup__varname="functionality", name=COOKIE).delete()
    CookieGroup.objects.filter(varname="functionality", description=NEW_DESCRIPTION).update(
        description=OLD_DESCRIPTION
    )
    _forget_caches()


class Migration(migrations.Migration):
    dependencies = [
        ("cookies", "0004_consentrecord_gpc_signal"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
