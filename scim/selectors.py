"""Reads for provisioning: the users a token sees, and an organisation's tokens."""

from django.db.models import QuerySet

from accounts.models import Organisation, Role, User
from scim.models import ScimToken

# Ids are the users' primary keys: anything that cannot be one names nobody.
MAX_ID_DIGITS = 18


def scim_users(organisation_id: int) -> QuerySet[User]:
    """The users an organisation's token sees: its members and client admins, except closed
    (terminated) accounts, which read as deleted. Staff belong to no organisation."""
    return (
        User.objects.filter(
            organisation_id=organisation_id, role__in=[Role.MEMBER, Role.CLIENT_ADMIN]
        )
        .exclude(status=User.Status.TERMINATED)
        .select_related("scim_identity")
        .order_by("pk")
    )


def scim_user(organisation_id: int, user_id: str) -> User | None:
    """The user ``user_id`` names, if the organisation's token sees them; None otherwise, so
    that another organisation's id reads exactly like one that does not exist."""
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= MAX_ID_DIGITS):
        return None
    return scim_users(organisation_id).filter(pk=int(user_id)).first()


def user_closed_in_organisation(organisation_id: int, email: str) -> bool:
    """Does a closed account of this organisation keep ``email``?"""
    return User.objects.filter(
        organisation_id=organisation_id, email=email, status=User.Status.TERMINATED
    ).exists()


def scim_tokens_of(organisation: Organisation) -> QuerySet[ScimToken]:
    return (
        ScimToken.objects.filter(organisation=organisation)
        .select_related("created_by", "revoked_by")
        .order_by("-created")
    )


def admins_to_tell(organisation: Organisation) -> QuerySet[User]:
    """Who hears of a change to the organisation's provisioning: its active client admins."""
    return User.objects.filter(
        organisation=organisation, role=Role.CLIENT_ADMIN, status=User.Status.ACTIVE
    ).order_by("pk")
