"""The requester downloads their package after proving who they are again: a one-time
6-digit code e-mailed to the requester's address, valid 15 minutes, 5 tries.

The code lives in the cache (Redis in production, shared by every process) as a keyed hash,
never in plain text; each package has at most one live code.
"""

import datetime
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

import audit
from dsar.models import AccessPackage, PackageDownload, RequestEvent

CODE_LIFETIME = datetime.timedelta(minutes=15)
CODE_TRIES = 5
CODES_PER_HOUR = 5
_SALT = "dsar.package_code"


def _key(package: AccessPackage) -> str:
    return f"dsar:package-code:{package.pk}"


def _sent_key(package: AccessPackage) -> str:
    return f"dsar:package-code-sent:{package.pk}"


def _digest(package: AccessPackage, code: str) -> str:
    return salted_hmac(_SALT, f"{package.pk}:{code}").hexdigest()


def package_is_expired(package: AccessPackage) -> bool:
    return package.deleted_at is not None or package.expires_at <= timezone.now()


class CodeRefused(Exception):
    """Why a code was not accepted: a message for the requester."""


def download_code_send(*, package: AccessPackage) -> bool:
    """E-mail a new code to the requester; False when too many were sent this hour."""
    if package_is_expired(package):
        raise CodeRefused("This copy of your data has expired.")
    sent = cache.get_or_set(_sent_key(package), 0, timeout=3600)
    if sent >= CODES_PER_HOUR:
        return False
    cache.incr(_sent_key(package))
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        _key(package),
        {"digest": _digest(package, code), "tries": 0},
        timeout=int(CODE_LIFETIME.total_seconds()),
    )
    request = package.request
    body = (
        f"Hello {request.requester_name},\n\nYour code to download the copy of your data for "
        f"request {request.reference} is:\n\n{code}\n\nIt works for 15 minutes. If you did not "
        f"ask for it, ignore this e-mail.\n\nThe Data Protection Officer\n{settings.DPO_EMAIL}"
    )
    address = request.requester_email
    transaction.on_commit(
        lambda: send_mail(f"Your download code for {request.reference}", body, None, [address])
    )
    return True


def download_code_check(*, package: AccessPackage, code: str) -> None:
    """Accept the code once (it is spent), or raise CodeRefused saying why."""
    if package_is_expired(package):
        raise CodeRefused("This copy of your data has expired.")
    stored = cache.get(_key(package))
    if stored is None:
        raise CodeRefused("Ask for a new code: this one has expired or was never sent.")
    if stored["tries"] >= CODE_TRIES:
        cache.delete(_key(package))
        raise CodeRefused("Too many wrong codes. Ask for a new code.")
    if not constant_time_compare(stored["digest"], _digest(package, code.strip())):
        stored["tries"] += 1
        left = CODE_TRIES - stored["tries"]
        if left <= 0:
            cache.delete(_key(package))
            raise CodeRefused("Too many wrong codes. Ask for a new code.")
        cache.set(_key(package), stored, timeout=int(CODE_LIFETIME.total_seconds()))
        raise CodeRefused(f"That code is not right. {left} tries left.")
    cache.delete(_key(package))


def download_record(*, package: AccessPackage, ip_address: str | None) -> PackageDownload:
    with transaction.atomic():
        download = PackageDownload.objects.create(package=package, ip_address=ip_address)
        RequestEvent.objects.create(
            request=package.request,
            kind=RequestEvent.Kind.DOWNLOAD,
            actor_label="requester",
            visible_to_requester=True,
            body="The copy of your data was downloaded.",
        )
        audit.record(
            None,
            "rights_request.package_download",
            target=package.request,
            details={"reference": package.request.reference, "package": package.pk},
            ip_address=ip_address,
        )
    return download
