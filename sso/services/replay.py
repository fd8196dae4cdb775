"""Replay protection: each SAML assertion ID and each OpenID Connect nonce is accepted once.

They are remembered (as keyed hashes) in the database until they expire, so every web process
sees the same record, and the unique index makes the first use win when two arrive at once.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from sso.models import SeenToken


def first_use(*, kind: str, connection_id: int, value: str, expires_at: datetime) -> bool:
    """Record this assertion ID or nonce; False if it was used before (a replay)."""
    digest = salted_hmac(
        "sso.replay", f"{kind}:{connection_id}:{value}", algorithm="sha256"
    ).hexdigest()
    SeenToken.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            SeenToken.objects.create(digest=digest, expires_at=expires_at)
    except IntegrityError:
        return False
    return True
