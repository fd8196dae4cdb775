"""Webhook signing secrets: Standard Webhooks' ``whsec_<base64>``, stored with Fernet.

The keys come from settings.WEBHOOK_SECRET_KEYS (first encrypts, all decrypt), so the
encryption key itself can be rotated by putting a new key first.
"""

import base64
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

PREFIX = "whsec_"


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.WEBHOOK_SECRET_KEYS])


def secret_new() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def secret_key_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))
