import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models

from audit.chain import Scheme

# The columns a blanking writes (PostgreSQL: the only ones the app role may UPDATE, audit 0010).
BLANKED_COLUMNS = (
    "actor_label",
    "target_label",
    "ip_address",
    "details",
    "erased_fields",
    "erased_at",
)
_UPDATE_FROM_ARRAYS = """
    UPDATE audit_auditentry AS entry SET actor_label = blanked.actor_label,
        target_label = blanked.target_label, ip_address = blanked.ip_address,
        details = blanked.details, erased_fields = blanked.erased_fields,
        erased_at = blanked.erased_at
    FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::inet[], %s::jsonb[], %s::jsonb[],
        %s::timestamptz[])
        AS blanked (id, actor_label, target_label, ip_address, details, erased_fields, erased_at)
    WHERE entry.id = blanked.id
"""


def _update_from_arrays(objs, using: str) -> None:
    """PostgreSQL: one UPDATE for all the entries, each column's values as one array (Django's
    bulk_update builds a CASE per column, which costs rows times rows)."""
    columns = [[] for _ in range(7)]
    for obj in objs:
        values = (
            obj.pk,
            obj.actor_label,
            obj.target_label,
            obj.ip_address,
            json.dumps(obj.details, cls=DjangoJSONEncoder),
            json.dumps(obj.erased_fields),
            obj.erased_at,
        )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    with connections[using].cursor() as cursor:
        cursor.execute(_UPDATE_FROM_ARRAYS, columns)


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only: they cannot be updated.")

    def _personal_details_blank(self, objs) -> None:
        """The one way an entry changes: audit.services.personal_details blanks personal
        values and fills the erased markers (PostgreSQL's trigger refuses anything else)."""
        if not objs:
            return
        self._for_write = True  # self.db is then the primary, as for Django's own update()
        if connections[self.db].vendor == "postgresql":
            _update_from_arrays(objs, self.db)
            return
        rows = models.QuerySet(self.model, using=self.db)
        for obj in objs:
            rows.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in BLANKED_COLUMNS})

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only: they cannot be deleted.")

    _raw_delete = delete


class AuditEntry(models.Model):
    """One action, chained to the one before it by the MAC of its canonical JSON (audit.chain).

    The MAC covers commitments of the personal fields (the labels, the IP address, each key of
    the details), not their values: erasure and retention blank values (and record that in
    the trail) while the chain keeps verifying. The erased markers are not chained.
    """

    created_at = models.DateTimeField(db_index=True)
    # No database constraint: erasing a user must not touch the trail that names them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    scheme = models.PositiveSmallIntegerField(choices=Scheme.choices)
    # Random, per entry: the commitments of equal values in two entries differ.
    salt = models.CharField(max_length=32, blank=True)
    # {personal field: its commitment} (audit.chain.entry_commitments), covered by the MAC.
    commitments = models.JSONField(default=dict, blank=True)
    # An entry converted from scheme 1 or 2 (migration 0009): its MAC before the conversion,
    # which anchors and the cached head from before it still name.
    legacy_hash = models.CharField(max_length=64, blank=True)
    # Not chained: which personal fields were blanked, each with the id of the
    # "audit.personal_details_erased" entry that records it, and when last.
    erased_fields = models.JSONField(default=dict, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only: they cannot be deleted.")


class AuditAnchorQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit anchors are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit anchors are append-only: they cannot be deleted.")

    _raw_delete = delete


class AuditAnchor(models.Model):
    """The chain's head as it stood at a moment, kept apart from the trail.

    The app's database role may only insert and read anchors (a trigger refuses the rest), and
    each nightly anchor is also mailed to the DPO: cutting the trail back, emptying it or
    rewriting it then no longer matches what was anchored.
    """

    class Kind(models.TextChoices):
        CUTOVER = "cutover", "Cut-over to the keyed chain"
        CHECKPOINT = "checkpoint", "Conversion to committed personal details"
        NIGHTLY = "nightly", "Nightly"
        VERIFY = "verify", "Verification on request"

    created_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The head's sequence number (its id; 0 for an empty trail) and its MAC.
    entry_id = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)
    entries = models.BigIntegerField(help_text="Entries in the chain up to the head.")
    mac = models.CharField(max_length=64)

    objects = AuditAnchorQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}: entry #{self.entry_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit anchors are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit anchors are append-only: they cannot be deleted.")
