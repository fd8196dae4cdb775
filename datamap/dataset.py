"""Pseudonymised datasets for development and testing.

Every personal field the data map knows (its entries' export fields, and the fields the
detector in ``datamap.detect`` flags) is replaced with a keyed HMAC of its value, so the same
person gets the same token everywhere and joins still work: e-mails become
``user-<token>@example.invalid``, names are generated, IP addresses land in the
documentation ranges, free text is replaced. Strings the map does not call personal are
still scrubbed of any e-mail address, IP address or known name embedded in them.

People whose processing is restricted, or who objected to it, are left out: their rows are
not in the dataset at all (``left_out_of_dataset``).

The key comes from the environment (``TEST_DATASET_KEY``) and is never written out.
"""

import hashlib
import hmac
import json
import os
import sys
from collections.abc import Iterator

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from datamap import Subject, registry
from datamap.detect import PERSON_NAME_FIELDS
from datamap.pseudonymise import Pseudonymiser
from datamap.purposes import Purpose, users_not_processable

KEY_VARIABLE = "TEST_DATASET_KEY"
FORMAT = "privacydesk-test-dataset"
VERSION = 1

# Not part of a dataset: Django's own bookkeeping (recreated by migrate), sessions, and the
# audit trail and its anchors, whose chain covers the very values pseudonymisation changes (a test
# database starts a trail of its own).
SKIPPED_APPS = {"contenttypes", "sessions", "admin", "auth"}
SKIPPED_MODELS = {"audit.auditentry", "audit.auditanchor"}
# Secrets are never copied, pseudonymised or not.
# Passwords become unusable; other secrets become an HMAC of themselves (same length, still
# unique, useless without the key).
SECRET_FIELDS = {
    "accounts.user.password",
    "security.usersession.session_key",
    "accounts.invitation.nonce",
    "security.backupcode.code_hash",
    "dsar.rightsrequest.verification_nonce",
    "otp_totp.totpdevice.key",
}
# Where people's names are kept: each name is also scrubbed wherever it turns up in other text.
# By label, as the secrets above, since datamap imports no app.
KNOWN_NAME_FIELDS = [
    ("accounts.User", "full_name"),
    ("dsar.RightsRequest", "requester_name"),
]
# Export fields that are codes, not anything about a person: kept as they are.
CODE_FIELDS = {
    "action",
    "feature",
    "path",
    "purpose",
    "rule",
    "reference",
    "field",
    "sha256",
    "user_agent_family",
    "name",  # on devices: "Authenticator app"
}


def key_from_environment() -> bytes:
    # Read when the command runs (settings read it at start-up; the environment wins).
    key = os.environ.get(KEY_VARIABLE) or settings.TEST_DATASET_KEY
    if len(key) < 16:
        raise CommandError(
            f"Set {KEY_VARIABLE} to a secret of at least 16 characters: it keys the HMAC that "
            "pseudonymises the data, and is never written to the dataset."
        )
    return key.encode()


def dataset_models() -> list[type[models.Model]]:
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in SKIPPED_APPS
        and model._meta.label_lower not in SKIPPED_MODELS
    ]
    return _dependency_order(chosen)


def _dependency_order(chosen):
    """Models before the models that point at them (cycles broken arbitrarily)."""
    remaining, ordered = list(chosen), []
    while remaining:
        for model in remaining:
            targets = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in remaining and f.related_model is not model
            }
            if not targets:
                break
        else:
            model = remaining[0]
        ordered.append(model)
        remaining.remove(model)
    return ordered


def personal_fields(model: type[models.Model]) -> dict[str, str]:
    """Field name → how it is pseudonymised: "email", "ip", "name", "text" or "secret"."""
    mapped = registry.entries_for_model(model) or []
    exempt = registry.exemption_reason(model) is not None
    named = {f.split("__")[0] for e in mapped for f in e.export_fields if "__" not in f}
    kinds = {}
    for field in model._meta.concrete_fields:
        name = field.name.lower()
        if f"{model._meta.label_lower}.{field.name}" in SECRET_FIELDS:
            kinds[field.attname] = "password" if field.name == "password" else "secret"
            continue
        if field.is_relation or not isinstance(field, models.CharField | models.TextField):
            continue
        if field.choices:
            continue
        if isinstance(field, models.EmailField) or "email" in name:
            kind = "email"
        elif isinstance(field, models.GenericIPAddressField) or name in {"ip", "ip_address"}:
            kind = "ip"
        elif (name in PERSON_NAME_FIELDS or name.endswith("_name")) and name != "name":
            kind = "name"
        elif isinstance(field, models.TextField) or (
            field.name in named and field.name not in CODE_FIELDS
        ):
            kind = "text"
        else:
            continue
        if exempt and kind == "text":
            continue  # standard wording (letter templates): scrubbed, not replaced
        kinds[field.attname] = kind
    return kinds


def _pseudonymise_value(p: Pseudonymiser, kind: str, value):
    if value in (None, ""):
        return value
    if kind == "password":
        return "!"
    if kind == "secret":
        digest = hmac.new(p.key, f"secret:{value}".encode(), hashlib.sha256).hexdigest()
        return digest[: min(len(value), 64)]
    if kind == "email" or (kind == "name" and "@" in value):
        return p.email(value)
    if kind == "ip":
        return p.ip(value)
    if kind == "name":
        return p.name(value)
    return p.text(value)


def known_names() -> set[str]:
    names = set()
    for label, field in KNOWN_NAME_FIELDS:
        rows = apps.get_model(label)._default_manager.exclude(**{field: ""})
        names |= set(rows.values_list(field, flat=True))
    return names


def count_rows() -> int:
    return sum(m._default_manager.count() for m in dataset_models())


def left_out_of_dataset() -> Subject:
    """The people whose data the test dataset leaves out: development and testing is the
    analytics purpose, which a restriction or an upheld objection stops."""
    user_ids = set(users_not_processable(Purpose.ANALYTICS).values_list("pk", flat=True))
    people = list(
        get_user_model().objects.filter(pk__in=user_ids).values_list("email", "organisation_id")
    )
    return Subject.of(
        user_ids=user_ids,
        emails=[email for email, _ in people],
        organisation_ids=[organisation for _, organisation in people],
    )


def _left_out_pks(model: type[models.Model], subject: Subject) -> set:
    if not (subject.user_ids or subject.emails):
        return set()
    pks = set()
    for entry in registry.entries_for_model(model):
        pks |= set(entry.rows_of(subject).values_list("pk", flat=True))
    return pks


def _unlink_left_out(row: models.Model, dropped: dict) -> bool:
    """Clear the row's links to rows left out; False if a link it cannot lose is one of them
    (the row goes too, so that the dataset still loads with its constraints checked)."""
    for field in row._meta.concrete_fields:
        if field.is_relation and getattr(row, field.attname) in dropped.get(
            field.related_model, ()
        ):
            if not field.null:
                return False
            setattr(row, field.attname, None)
    return True


def export_rows(
    p: Pseudonymiser, chunk_size: int = 2000, leave_out: Subject | None = None
) -> Iterator[dict]:
    leave_out = leave_out or Subject()
    dropped: dict[type[models.Model], set] = {}
    for model in dataset_models():
        kinds = personal_fields(model)
        left_out = _left_out_pks(model, leave_out)
        rows = model._default_manager.order_by("pk").iterator(chunk_size=chunk_size)
        batch = []
        for row in rows:
            if row.pk in left_out or not _unlink_left_out(row, dropped):
                dropped.setdefault(model, set()).add(row.pk)
                continue
            batch.append(row)
            if len(batch) >= chunk_size:
                yield from _serialise(p, kinds, batch)
                batch = []
        yield from _serialise(p, kinds, batch)


def _serialise(p, kinds, rows):
    if not rows:
        return
    # Many-to-many links go to auth groups and permissions, which a dataset leaves out.
    links = {f.name for f in rows[0]._meta.many_to_many}
    for obj in serializers.serialize("python", rows):
        fields = obj["fields"]
        for name in links:
            fields.pop(name, None)
        for name, value in fields.items():
            if name in kinds:
                fields[name] = _pseudonymise_value(p, kinds[name], value)
            elif isinstance(value, str):
                fields[name] = p.scrub(value)
            elif isinstance(value, list | dict):
                fields[name] = p.scrub_json(value)
        yield obj


class Progress:
    """A progress bar on stderr (so that --out - could still stream to stdout)."""

    def __init__(self, total: int, label: str, stream=None, width: int = 30):
        self.total, self.label, self.width = max(total, 1), label, width
        self.stream = stream or sys.stderr
        self.done = 0
        self._shown = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        percent = min(100, self.done * 100 // self.total)
        if percent != self._shown:
            self._shown = percent
            filled = self.width * percent // 100
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {self.done}/{self.total}")
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def write_dataset(out, *, key: bytes, progress: bool = True) -> int:
    p = Pseudonymiser(key, known_names())
    total = count_rows()
    bar = Progress(total, "Exporting") if progress else None
    header = {"format": FORMAT, "version": VERSION, "rows": total}
    out.write(json.dumps(header) + "\n")
    written = 0
    for obj in export_rows(p, leave_out=left_out_of_dataset()):
        out.write(json.dumps(obj, cls=DjangoJSONEncoder) + "\n")
        written += 1
        if bar:
            bar.advance()
    if bar:
        bar.finish()
    return written


def database_is_empty() -> bool:
    return not get_user_model().objects.exists()


def load_dataset(lines, *, progress: bool = True) -> int:
    header = json.loads(next(lines))
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise CommandError("This file is not a PrivacyDesk test dataset (version 1).")
    if not database_is_empty():
        raise CommandError("The database already has users: load a test dataset into an empty one.")
    bar = Progress(header.get("rows", 0), "Loading") if progress else None
    loaded, touched = 0, set()
    with transaction.atomic(), connection.constraint_checks_disabled():
        for line in lines:
            if not line.strip():
                continue
            for obj in serializers.deserialize("python", [json.loads(line)]):
                obj.save()
                touched.add(type(obj.object))
            loaded += 1
            if bar:
                bar.advance()
        connection.check_constraints(table_names=[m._meta.db_table for m in touched])
        sql = connection.ops.sequence_reset_sql(no_style(), list(touched))
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
    if bar:
        bar.finish()
    return loaded
