"""Demo: the first organisation's directory provisions its users through a token its client
admin made, so the console's Provisioning (SCIM) page shows one in use."""

from django.utils import timezone

from accounts.models import Organisation, Role, User
from scim.models import ScimIdentity, ScimToken
from scim.services import scim_token_create

DEMO_TOKEN_NAME = "Entra ID (demo)"  # noqa: S105 (a label, not a secret)


def provisioning_demo_seed(*, organisation: Organisation) -> None:
    if ScimToken.objects.filter(organisation=organisation, name=DEMO_TOKEN_NAME).exists():
        return
    admin = (
        User.objects.filter(organisation=organisation, role=Role.CLIENT_ADMIN)
        .order_by("pk")
        .first()
    )
    if admin is None:
        return
    token, _ = scim_token_create(organisation=organisation, name=DEMO_TOKEN_NAME, by=admin)
    ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    members = User.objects.filter(organisation=organisation, role=Role.MEMBER).order_by("pk")
    for member in members[:3]:
        given, _, family = member.full_name.partition(" ")
        ScimIdentity.objects.get_or_create(
            user=member,
            defaults={
                "external_id": f"demo-{member.pk:08d}",
                "given_name": given,
                "family_name": family,
            },
        )
