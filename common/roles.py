"""Who a user is to PrivacyDesk. The user model stores the role; the decorators and checks that
guard the console and the back office read it, from apps that need not know the user model."""

from django.db import models


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    CLIENT_ADMIN = "client_admin", "Client admin"
    DPO = "dpo", "Data protection officer"
    SUPPORT = "support", "Support"


STAFF_ROLES = frozenset({Role.DPO, Role.SUPPORT})
PRIVILEGED_ROLES = frozenset({Role.CLIENT_ADMIN, Role.DPO, Role.SUPPORT})
