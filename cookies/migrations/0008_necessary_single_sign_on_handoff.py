"""Adds ``pd_sso_handoff`` to the strictly necessary cookies: it carries a SAML login from our
identity-provider answer page to the completion step (sso.views.login), instead of a token in
the address, and lives two minutes."""

from django.db import migrations

COOKIE = "pd_sso_handoff"
PURPOSE = (
    "Carries a single sign-on login from your organisation's identity provider to the page "
    "that finishes it, once. Set only when you log in with single sign-on (SAML)."
)
LIFETIME = "2 minutes"


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
    group = CookieGroup.objects.filter(varname="necessary").first()
    if group is None:
        return
    cookie, _ = Cookie.objects.update_or_create(
        cookiegroup=group, name=COOKIE, domain="", defaults={"description": PURPOSE}
    )
    CookieDetail.objects.update_or_create(cookie=cookie, defaults={"lifetime": LIFETIME})
    _forget_caches()


def unseed(apps, schema_editor):
    Cookie = apps.get_model("cookie_consent", "Cookie")
    Cookie.objects.filter(cookiegroup__varname="necessary", name=COOKIE).delete()
    _forget_caches()


class Migration(migrations.Migration):
    dependencies = [("cookies", "0007_draft_the_privacy_notice_generated_from_the_records")]

    operations = [migrations.RunPython(seed, unseed)]
