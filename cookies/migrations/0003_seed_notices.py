"""Version 1 of the privacy notice (the text of templates/pages/privacy.html) and of the
cookie policy, published, so that /privacy/ and /cookies/ have something to show."""

from django.db import migrations
from django.utils import timezone

PRIVACY_NOTICE = """\
This notice explains what personal data we hold about the users of our product and the \
visitors to our website, why, for how long, and the rights you have over it.

## Access control and security

We control access to the product with usernames and passwords, and a second factor for \
privileged accounts. We monitor access; on suspicious activity we suspend the account and \
open an investigation, and a person always reviews that decision.

## How the product is used

We log how the product is used: dates, times, IP address and what was done while logged in. \
We report usage patterns to the client that employs you (frequency of use and purpose). Any \
other use of this data is aggregated and non-personal, and data is anonymised or \
pseudonymised before any development or testing use.

## Support

We use your contact details to answer your support enquiries.

## How long we keep it

We keep personal data while your account exists, and only for a limited extra period after \
it ends (to troubleshoot, restore after data loss, and deal with complaints and claims). Then \
we delete or anonymise it.

## Who we share it with

Only with the client that employs you, our service providers, and regulators or law \
enforcement where the law requires. We process personal data in the UK only.

## Cookies

See the [cookie page](/cookies/): strictly necessary cookies are always on; performance and \
functionality cookies only with your consent.

## Your rights

You may ask for access to your data, its rectification or erasure, the restriction of its \
processing, and object to processing based on legitimate interests or for direct marketing. \
Requests for portability or to withdraw consent are answered with the reason they do not \
apply, since our processing does not rest on consent. You may complain to our Data \
Protection Officer, and to the Information Commissioner's Office.
"""

COOKIE_POLICY = """\
We use three kinds of cookies on this site.

- **Strictly necessary** cookies make the site work: they keep you logged in, protect forms \
and remember your cookie choices. They need no consent.
- **Performance and analytics** cookies, only with your consent, let our own first-party \
analytics count which pages are visited and how often. Nothing goes to anyone else.
- **Functionality** cookies, only with your consent, remember preferences such as the \
display theme.

You can change or withdraw your consent at any time on this page; cookies you no longer \
allow are deleted. We keep a record of each choice (when, what, under which version of this \
policy) to show that we asked, with a random id instead of your IP address.
"""


def seed(apps, schema_editor):
    PolicyVersion = apps.get_model("cookies", "PolicyVersion")
    now = timezone.now()
    for kind, body, note in [
        ("privacy", PRIVACY_NOTICE, "First published version."),
        ("cookies", COOKIE_POLICY, "First published version."),
    ]:
        PolicyVersion.objects.get_or_create(
            kind=kind,
            number=1,
            defaults={"body": body, "change_note": note, "published_at": now},
        )
    # Historical models skip the real ones' cache clearing; imported when the migration runs.
    from cookies.catalogue import catalogue_forget

    catalogue_forget()


def unseed(apps, schema_editor):
    PolicyVersion = apps.get_model("cookies", "PolicyVersion")
    PolicyVersion.objects.filter(number=1).delete()


class Migration(migrations.Migration):
    dependencies = [("cookies", "0002_seed_cookie_groups")]

    operations = [migrations.RunPython(seed, unseed)]
