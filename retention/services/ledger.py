"""The erasure ledger: what lets a backup restore erase again whoever was erased after it.

Each entry holds HMAC-SHA256 hashes of the person's identifiers (user ids, lower-cased e-mail
addresses) under ERASURE_LEDGER_KEY, never the identifiers: a hash recognises the person among
the rows of a restored database but names no one by itself.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import models, transaction

from accounts.models import User
from accounts.services.users import user_termination_apply
from datamap import Subject
from datamap.engines import erase_subject
from retention.models import ErasureLedgerEntry
from retention.routers import LEDGER_DATABASE
from retention.selectors import erasure_exception_for


def _hash(kind: str, value: str) -> str:
    key = settings.ERASURE_LEDGER_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def user_id_hash(user_id: int) -> str:
    return _hash("user", str(int(user_id)))


def email_hash(email: str) -> str:
    return _hash("email", email.strip().lower())


def erasure_ledger_record(*, subject: Subject, terminate_account: bool) -> ErasureLedgerEntry:
    """Remember one erasure. Called once the erasure has committed."""
    return ErasureLedgerEntry.objects.create(
        user_id_hashes=sorted(user_id_hash(pk) for pk in subject.user_ids),
        email_hashes=sorted(email_hash(email) for email in subject.emails),
        terminate_account=terminate_account,
    )


@dataclass(frozen=True)
class Replay:
    entries: int
    people: int


def _candidate_emails() -> set[str]:
    """Every e-mail address the database holds, from every EmailField of every model."""
    found: set[str] = set()
    for model in apps.get_models():
        if model is ErasureLedgerEntry or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.EmailField):
                values = model._default_manager.exclude(**{f"{field.attname}__in": ["", None]})
                found.update(values.values_list(field.attname, flat=True).distinct())
    return {email.strip().lower() for email in found}


def erasure_ledger_replay(*, since: datetime) -> Replay:
    """Erase again, with the same data-map engine, everyone the ledger erased at or after
    ``since`` (a restored backup's time). Replaying an erasure twice changes nothing, so the
    boundary errs on the side of replaying."""
    entries = list(ErasureLedgerEntry.objects.filter(erased_at__gte=since))
    if not entries:
        return Replay(entries=0, people=0)
    organisation_of = dict(User.objects.values_list("pk", "organisation_id"))
    ids_by_hash = {user_id_hash(pk): pk for pk in organisation_of}
    emails_by_hash = {email_hash(email): email for email in _candidate_emails()}
    people = 0
    for entry in entries:
        user_ids = [ids_by_hash[h] for h in entry.user_id_hashes if h in ids_by_hash]
        emails = [emails_by_hash[h] for h in entry.email_hashes if h in emails_by_hash]
        if not user_ids and not emails:
            continue
        subject = Subject.of(
            user_ids=user_ids,
            emails=emails,
            organisation_ids=[organisation_of[pk] for pk in user_ids],
        )
        with transaction.atomic():
            if entry.terminate_account:
                # The account was ended with (or before) the erasure the ledger records; the
                # backup predates that, so the account is ended again as of the erasure's time.
                for user in User.objects.filter(pk__in=subject.user_ids).exclude(
                    status=User.Status.TERMINATED
                ):
                    user_termination_apply(
                        user=user, at=entry.erased_at, details={"erasure_replayed": True}
                    )
            erase_subject(
                subject,
                exception_for=erasure_exception_for(
                    subject, terminate_account=entry.terminate_account
                ),
                because={"erasure_ledger_entry": entry.pk, "erased_at": entry.erased_at},
            )
        people += 1
    return Replay(entries=len(entries), people=people)


def erasure_ledger_purge_batch(*, before: datetime, size: int) -> int:
    """Delete up to ``size`` of the oldest entries erased before ``before``, in one transaction
    of the ledger's database. Returns how many went (0: none left)."""
    with transaction.atomic(using=LEDGER_DATABASE):
        batch = list(
            ErasureLedgerEntry.objects.using(LEDGER_DATABASE)
            .filter(erased_at__lt=before)
            .order_by("erased_at", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if not batch:
            return 0
        deleted, _ = ErasureLedgerEntry.objects.using(LEDGER_DATABASE).filter(pk__in=batch).delete()
    return deleted
