"""Reads: the schedule, legal holds, what is due, recent runs."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import ERASED_EMAIL_SUFFIX, User
from datamap import Anonymise, Delete, Entry, Redact, Retain, Subject, registry
from datamap.engines import erase_subject
from datamap.presentation import entry_title
from retention.models import ErasureLedgerEntry, LegalHold, PurgeRun, RetentionPolicy

# --- The schedule -------------------------------------------------------------------------


def policies() -> list[RetentionPolicy]:
    return list(RetentionPolicy.objects.all())


def categories_without_policy() -> list[str]:
    """Retention categories of the data map with no policy: nothing would ever purge them."""
    have = set(RetentionPolicy.objects.values_list("category", flat=True))
    return [c for c in registry.retention_categories() if c not in have]


def policies_without_category() -> list[RetentionPolicy]:
    """Policies for categories no data-map entry uses (yet): harmless, shown for clarity."""
    known = set(registry.retention_categories())
    return [p for p in RetentionPolicy.objects.all() if p.category not in known]


def cutoff_for(policy: RetentionPolicy, now: datetime.datetime | None = None):
    """Rows older than this are past their period. The erasure ledger's period starts once
    every backup kept is newer than the entry: BACKUP_KEEP_DAYS, then the policy's days."""
    days = policy.days
    if policy.basis == RetentionPolicy.Basis.BACKUPS:
        days += settings.BACKUP_KEEP_DAYS
    return (now or timezone.now()) - datetime.timedelta(days=days)


# --- Legal holds --------------------------------------------------------------------------


def active_holds():
    return LegalHold.objects.active().select_related("user", "organisation", "placed_by")


def holds_on_organisation(organisation):
    """The holds in force on the organisation itself or on any of its people."""
    return (
        LegalHold.objects.active()
        .filter(Q(organisation=organisation) | Q(user__organisation=organisation))
        .select_related("user", "organisation", "placed_by")
        .order_by("placed_at", "pk")
    )


def released_holds(limit: int = 20):
    return LegalHold.objects.filter(released_at__isnull=False).select_related(
        "user", "organisation", "placed_by", "released_by"
    )[:limit]


@dataclass(frozen=True)
class Held:
    """Everyone under a legal hold: their user ids and e-mails, and the held organisations."""

    subject: Subject
    organisation_ids: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.subject.user_ids or self.subject.emails or self.organisation_ids)


def held() -> Held:
    holds = list(LegalHold.objects.active().values_list("user_id", "organisation_id"))
    user_ids = {u for u, _ in holds if u}
    organisation_ids = frozenset(o for _, o in holds if o)
    people = list(
        User.objects.filter(
            Q(pk__in=user_ids) | Q(organisation_id__in=organisation_ids)
        ).values_list("pk", "email", "organisation_id")
    )
    return Held(
        subject=Subject.of(
            user_ids=[pk for pk, _, _ in people],
            emails=[email for _, email, _ in people],
            organisation_ids=[organisation for _, _, organisation in people],
        ),
        organisation_ids=organisation_ids,
    )


def hold_reason_for(subject: Subject) -> str | None:
    """Why the subject's data may not be erased or purged now, or None when no hold stands."""
    people = User.objects.filter(Q(pk__in=subject.user_ids) | Q(email__in=subject.emails))
    hold = (
        LegalHold.objects.active()
        .filter(
            Q(user__in=people.values("pk"))
            | Q(organisation__in=people.exclude(organisation=None).values("organisation"))
        )
        .order_by("placed_at")
        .first()
    )
    if hold is None:
        return None
    return (
        f"Under a legal hold placed on {timezone.localtime(hold.placed_at):%-d %B %Y}: kept "
        "to establish, exercise or defend legal claims (Article 17(3)(e)) until it is released."
    )


# --- The erasure exceptions: why we may keep it ------------------------------------------

ACCOUNT_ACTIVE = (
    "Needed while the account is active: the employer still uses it to give this person "
    "access to the service. Terminate the account to erase it."
)
# Account-bound entries: the data that makes the account work. Erased only with the account.
ACCOUNT_RETENTION_CATEGORY = "account"


def _account_stays_active(subject: Subject, terminate_account: bool) -> bool:
    if terminate_account:
        return False
    return (
        User.objects.filter(pk__in=subject.user_ids).exclude(status=User.Status.TERMINATED).exists()
    )


def erasure_exceptions(subject: Subject, *, terminate_account: bool) -> dict[str, str]:
    """The single place that decides what erasure keeps: entry name → the reason it is kept.

    Reasons: the entry's own ``Retain`` rule (a retention duty, accountability), "needed
    while the account is active" for account-bound entries when the account stays, and a
    legal hold on the person or their organisation, which keeps every entry. Retention
    purges of terminated accounts call this too.
    """
    held = hold_reason_for(subject)
    if held is not None:
        return {entry.name: held for entry in registry.entries()}
    active = _account_stays_active(subject, terminate_account)
    reasons = {}
    for entry in registry.entries():
        if isinstance(entry.erasure, Retain):
            reasons[entry.name] = entry.erasure.reason
        elif active and entry.retention_category == ACCOUNT_RETENTION_CATEGORY:
            reasons[entry.name] = ACCOUNT_ACTIVE
    return reasons


def erasure_exception_for(
    subject: Subject, *, terminate_account: bool
) -> Callable[[Entry], str | None]:
    """``erasure_exceptions`` in the form the data-map engine asks for: entry → reason kept."""
    reasons = erasure_exceptions(subject, terminate_account=terminate_account)
    return lambda entry: reasons.get(entry.name)


# --- What is due --------------------------------------------------------------------------


def _field(model: type[models.Model], path: str) -> models.Field:
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.get_field(last)


def entry_action(entry: Entry, policy: RetentionPolicy) -> str:
    """What expiry does to an entry's rows: "delete" or "anonymise".

    The data map's own rule, except that rows it retains against erasure are deleted when
    their period ends (that is what the period is for), and a policy may ask for deletion.
    Rows whose rule is ``Redact`` (an append-only trail) are never deleted: expiry removes
    their personal details.
    """
    if isinstance(entry.erasure, Redact):
        return "anonymise"
    if policy.action == RetentionPolicy.Action.DELETE or isinstance(entry.erasure, Delete):
        return "delete"
    if isinstance(entry.erasure, Anonymise):
        return "anonymise"
    return "delete"


def _already_anonymised(rule: Anonymise | Redact) -> Q | None:
    """Rows whose replaced fields already hold the replacements: anonymising them again
    would change nothing, so they are not due. None when a replacement is computed."""
    if isinstance(rule, Redact):
        return rule.done()
    if any(callable(value) for value in rule.replacements.values()):
        return None
    q = Q()
    for name, value in rule.replacements.items():
        q &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return q


def expired_rows(
    entry: Entry,
    policy: RetentionPolicy,
    *,
    now=None,
    holds: Held | None = None,
    organisation_id: int | None = None,
) -> models.QuerySet:
    """The entry's rows past their period that a purge may touch (event and closure bases),
    of one organisation if ``organisation_id`` is given (an entry sharded by organisation:
    every query on it names one, the legal holds' too).

    Rows with no date in the retention field (a request not yet closed) never expire. Rows of
    anyone under a legal hold, or of a held organisation, are left out.
    """
    model = entry.model_class
    cutoff = cutoff_for(policy, now)
    field = _field(model, entry.retention_field)
    bound = cutoff.date() if not isinstance(field, models.DateTimeField) else cutoff
    scope = {} if organisation_id is None else {entry.organisation_field: organisation_id}
    rows = model._default_manager.filter(**scope, **{f"{entry.retention_field}__lt": bound})
    holds = held() if holds is None else holds
    if holds.subject.user_ids or holds.subject.emails:
        rows = rows.exclude(pk__in=entry.rows_of(holds.subject).filter(**scope).values("pk"))
    if holds.organisation_ids and any(
        f.name == "organisation" for f in model._meta.concrete_fields
    ):
        rows = rows.exclude(organisation_id__in=holds.organisation_ids)
    if holds.subject.user_ids or holds.subject.emails:
        for child, link in _cascading_entries(entry, policy):
            # Deleting the row would take a held person's rows of another entry with it.
            rows = rows.exclude(pk__in=child.rows_of(holds.subject).values(link))
    if entry_action(entry, policy) == "anonymise":
        done = _already_anonymised(entry.erasure)
        if done is not None:
            rows = rows.exclude(done)
    return rows


def _cascading_entries(entry: Entry, policy: RetentionPolicy) -> list[tuple[Entry, str]]:
    """Entries whose rows a delete of the entry's rows takes with it (a cascading foreign key
    to its model), each with the column that links them."""
    if entry_action(entry, policy) != "delete":
        return []
    found = []
    for other in registry.entries():
        for field in other.model_class._meta.concrete_fields:
            if (
                field.many_to_one
                and field.related_model is entry.model_class
                and field.remote_field.on_delete is models.CASCADE
            ):
                found.append((other, field.attname))
    return found


def expired_accounts(policy: RetentionPolicy, *, now=None, holds: Held | None = None):
    """Terminated accounts past their period, not yet erased, and under no legal hold.
    Active, invited and suspended accounts are never due: the schedule keeps them."""
    holds = held() if holds is None else holds
    return (
        User.objects.filter(
            status=User.Status.TERMINATED, terminated_at__lt=cutoff_for(policy, now)
        )
        .exclude(email__endswith=ERASED_EMAIL_SUFFIX)
        .exclude(pk__in=holds.subject.user_ids)
        .exclude(organisation_id__in=holds.organisation_ids)
    )


# --- The erasure ledger (its own database, outside the data map) ---------------------------

ERASURE_LEDGER_CATEGORY = "erasure_ledger"
# The ledger's key in a purge run's counts, where the data map's entries have their names.
ERASURE_LEDGER_COUNTS = "retention.erasure_ledger"


def expired_ledger_entries(policy: RetentionPolicy, *, now=None):
    """Ledger entries older than every backup kept, by the policy's margin: no restore can
    need them any more."""
    return ErasureLedgerEntry.objects.filter(erased_at__lt=cutoff_for(policy, now))


def counted_title(name: str) -> str:
    """What a purge run's count is of, in words: a data-map entry's title, or the ledger."""
    if name == ERASURE_LEDGER_COUNTS:
        return "Erasure ledger entries"
    try:
        return entry_title(registry.entry(name))
    except KeyError:
        return name  # a cascade outside the category ("<model> (cascade)")


def purgeable_entries(policy: RetentionPolicy) -> list[Entry]:
    entries = registry.entries_in_retention_category(policy.category)
    return sorted(
        (e for e in entries if e.retention_field), key=lambda e: (e.erasure_order, e.name)
    )


def due_counts(policy: RetentionPolicy, *, now=None) -> dict[str, dict[str, int]]:
    """What a purge of the policy's category would do now: entry → {"deleted", "anonymised"}.

    For account-bound data: what erasing every expired account would do, entry by entry,
    computed by the erasure engine's own dry run with the erasure right's exceptions.
    """
    holds = held()
    counts: dict[str, dict[str, int]] = {}
    if policy.basis == RetentionPolicy.Basis.INDEFINITE:
        return counts
    if policy.category == ERASURE_LEDGER_CATEGORY:
        n = expired_ledger_entries(policy, now=now).count()
        return {ERASURE_LEDGER_COUNTS: {"deleted": n}} if n else counts
    if policy.basis == RetentionPolicy.Basis.ACCOUNT:
        for user in expired_accounts(policy, now=now, holds=holds).iterator(chunk_size=200):
            subject = Subject.of(
                user_ids=[user.pk], emails=[user.email], organisation_ids=[user.organisation_id]
            )
            for outcome in erase_subject(
                subject,
                exception_for=erasure_exception_for(subject, terminate_account=False),
                dry_run=True,
            ):
                if outcome.action in ("deleted", "anonymised") and outcome.rows:
                    bucket = counts.setdefault(outcome.entry.name, {})
                    bucket[outcome.action] = bucket.get(outcome.action, 0) + outcome.rows
        return counts
    for entry in purgeable_entries(policy):
        action = "deleted" if entry_action(entry, policy) == "delete" else "anonymised"
        n = expired_rows(entry, policy, now=now, holds=holds).count()
        if n:
            counts[entry.name] = {action: n}
    return counts


def recent_runs(limit: int = 20) -> list[PurgeRun]:
    return list(PurgeRun.objects.all()[:limit])


def latest_dry_runs() -> dict[str, PurgeRun]:
    """The newest finished dry run of each category."""
    latest: dict[str, PurgeRun] = {}
    runs = PurgeRun.objects.filter(dry_run=True, status=PurgeRun.Status.SUCCEEDED)
    for run in runs.order_by("category", "-started_at", "-id"):
        latest.setdefault(run.category, run)
    return latest
