import os

import factory
from django.utils.text import slugify

from accounts.models import Organisation, Role, User

TEST_PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Client {n} Ltd")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = factory.Faker("job", locale="en_GB")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class ClientAdminFactory(UserFactory):
    role = Role.CLIENT_ADMIN


class StaffUserFactory(UserFactory):
    organisation = None
    role = Role.DPO


class DpoFactory(StaffUserFactory):
    role = Role.DPO


class SupportFactory(StaffUserFactory):
    role = Role.SUPPORT


def api_key_for(organisation=None, *, scopes=("users",), name="Integration", **fields):
    """An API key of ``organisation`` (a new one if None): returns (key, plain key)."""
    from accounts.models import OrganisationAPIKey

    return OrganisationAPIKey.objects.create_key(
        organisation=organisation or OrganisationFactory(),
        name=name,
        scopes=list(scopes),
        **fields,
    )


class PasskeyFactory(factory.django.DjangoModelFactory):
    """A registered passkey as django-otp-webauthn stores one. Its key is random bytes: only
    the browser tests (tests/browser/test_passkeys_browser.py) sign anything with a passkey."""

    class Meta:
        model = "django_otp_webauthn.WebAuthnCredential"

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Passkey {n}")
    credential_id = factory.LazyFunction(lambda: os.urandom(32))
    public_key = factory.LazyFunction(lambda: os.urandom(77))
    aaguid = "00000000-0000-0000-0000-000000000000"
    transports = factory.LazyFunction(lambda: ["internal"])
    discoverable = True


class InvestigationFactory(factory.django.DjangoModelFactory):
    """An open, medium-severity investigation of a member's account."""

    class Meta:
        model = "security.Investigation"

    user = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda o: o.user.organisation if o.user else None)
    rule = "lockout"
    severity = "medium"
    summary = "Logins to this account were locked out after repeated failures"
    ip_address = "203.0.113.7"
    evidence = factory.LazyFunction(
        lambda: [{"time": "2026-01-05T09:00:00+00:00", "ip": "203.0.113.7", "event": "locked_out"}]
    )


class CommunicationPreferencesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communications.CommunicationPreferences"
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
