"""The access (and portability) package: a ZIP of everything the data map holds on a subject.

Streamed to disk so memory stays flat whatever the subject's volume: rows are read in chunks
(``datamap.engines.iter_subject_rows``; on PostgreSQL one ``COPY … TO STDOUT`` per entry that
formats each row as JSON and as a neutralised CSV line), ``data.json`` is written batch by
batch into the archive, each category's CSV is spooled to a temporary file on the same pass and
added afterwards (zipfile allows one open member at a time), and ``index.html`` comes last,
when the counts are known.
"""

import contextlib
import csv
import datetime
import hashlib
import io
import json
import os
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

import audit
from config.csv import neutralise
from datamap import Category, Retain, Subject, registry
from datamap.engines import iter_subject_rows
from dsar.letters import ICO
from dsar.models import AccessPackage, RequestEvent, RightsRequest

PACKAGE_LIFETIME = datetime.timedelta(days=7)
CHUNK_SIZE = 5000
WRITE_BATCH = 1000  # rows joined before each write into the archive
DISCLOSURES_ENTRY = "audit.disclosures_about"


def request_subject(request: RightsRequest) -> Subject:
    """The person a request is about: its confirmed accounts plus the requester's e-mail."""
    user_ids = list(request.subjects.values_list("user_id", flat=True))
    return Subject.of(user_ids=user_ids, emails=[request.requester_email])


def packages_dir() -> Path:
    path = Path(settings.PACKAGES_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def package_path(package: AccessPackage) -> Path:
    return Path(settings.PACKAGES_DIR) / package.file_name


def live_package(request: RightsRequest) -> AccessPackage | None:
    """The request's newest package that can still be downloaded."""
    return (
        request.packages.filter(deleted_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )


@dataclass
class _EntrySummary:
    name: str
    category: str
    category_label: str
    description: str
    legal_basis: str
    legal_basis_detail: str
    retention_category: str
    erasure: str
    kept_reason: str
    note: str
    rows: int = 0


@dataclass
class _Build:
    entries: list[_EntrySummary] = field(default_factory=list)
    disclosures: list[dict] = field(default_factory=list)


def _entry_meta(entry) -> dict:
    return {
        "name": entry.name,
        "category": str(entry.category),
        "description": entry.description,
        "legal_basis": entry.legal_basis.label,
        "legal_basis_detail": entry.legal_basis_detail,
        "retention_category": entry.retention_category,
        "erasure": entry.erasure.describe(),
        # On an erasure request, what stays and why: the kept items each carry their reason.
        "kept_reason": entry.erasure.reason if isinstance(entry.erasure, Retain) else "",
        "note": entry.export_note,
        "fields": list(entry.export_fields),
    }


def _category_columns() -> dict[str, list[str]]:
    """One CSV per category: the entry's name, then every field any of its entries exports."""
    columns: dict[str, list[str]] = {}
    for entry in registry.entries():
        names = columns.setdefault(str(entry.category), [])
        names.extend(f for f in entry.export_fields if f not in names)
    return columns


def _spool():
    # Closed by the caller's ExitStack once its CSV is in the archive.
    return tempfile.TemporaryFile(mode="w+b")


def _write_zip(archive: zipfile.ZipFile, request: RightsRequest, subject: Subject) -> _Build:
    with contextlib.ExitStack() as stack:
        return _write_members(archive, request, subject, stack)


@dataclass
class _Spool:
    """One category's CSV, spooled to a temporary file while data.json is written."""

    raw: object
    text: io.TextIOWrapper
    writer: object
    positions: dict[str, int]


def _write_members(archive, request: RightsRequest, subject: Subject, stack) -> _Build:
    build = _Build()
    spools: dict[str, _Spool] = {}
    for category, names in _category_columns().items():
        raw = stack.enter_context(_spool())
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([neutralise(c) for c in ["entry", *names]])
        spools[category] = _Spool(raw, text, writer, {n: i for i, n in enumerate(names)})

    dumps = json.JSONEncoder(ensure_ascii=False).encode
    fast = connection.vendor == "postgresql"
    with archive.open("data.json", "w", force_zip64=True) as out:
        header = {
            "reference": request.reference,
            "generated_at": timezone.now().astimezone(datetime.UTC).isoformat(),
            "requester_email": request.requester_email,
        }
        out.write((dumps(header)[:-1] + ', "entries": [').encode())
        for n, entry in enumerate(registry.entries()):
            meta = _entry_meta(entry)
            summary = _EntrySummary(
                name=entry.name,
                category=str(entry.category),
                category_label=Category(entry.category).label,
                description=entry.description,
                legal_basis=entry.legal_basis.label,
                legal_basis_detail=entry.legal_basis_detail,
                retention_category=entry.retention_category,
                erasure=meta["erasure"],
                kept_reason=meta["kept_reason"],
                note=entry.export_note,
            )
            out.write((("," if n else "") + "\n" + dumps(meta)[:-1] + ', "rows": [').encode())
            spool = spools[str(entry.category)]
            if fast and entry.name != DISCLOSURES_ENTRY:
                summary.rows = _copy_rows(entry, subject, out, spool)
            else:
                summary.rows = _python_rows(entry, subject, out, spool, build, dumps)
            out.write(b"]}")
            build.entries.append(summary)
        out.write(b"\n]}\n")

    for category, spool in spools.items():
        spool.text.flush()
        spool.raw.seek(0)
        with archive.open(f"{category}.csv", "w", force_zip64=True) as member:
            while chunk := spool.raw.read(1 << 20):
                member.write(chunk)

    archive.writestr("index.html", _index_html(request, build))
    return build


def _python_rows(entry, subject: Subject, out, spool: _Spool, build: _Build, dumps) -> int:
    """Rows read through the ORM, in chunks: any database."""
    width = len(spool.positions) + 1
    slots = [spool.positions[f] + 1 for f in entry.export_fields]
    fields = entry.export_fields
    count = 0
    batch: list[str] = []
    for row in iter_subject_rows(entry, subject, CHUNK_SIZE):
        record = dict(zip(fields, row, strict=True))
        batch.append(dumps(record))
        cells = [""] * width
        cells[0] = entry.name
        for slot, value in zip(slots, row, strict=True):
            cells[slot] = neutralise(value)
        spool.writer.writerow(cells)
        if entry.name == DISCLOSURES_ENTRY:
            build.disclosures.append(record)
        if len(batch) >= WRITE_BATCH:
            out.write((("," if count else "") + ",".join(batch)).encode())
            count += len(batch)
            batch = []
    if batch:
        out.write((("," if count else "") + ",".join(batch)).encode())
        count += len(batch)
    return count


FLUSH_BYTES = 1 << 20
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
NUMBER_FIELDS = (models.IntegerField, models.FloatField, models.DecimalField)


def _field(model, path: str):
    """The model field an export path ("request__reference") ends at."""
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    field = model._meta.get_field(last)
    return field.target_field if field.is_relation else field


def _csv_cell_sql(column: str, field) -> str:
    """One CSV cell in SQL, as config.csv.neutralise writes it: a text cell that starts like
    a formula gets a leading apostrophe and is quoted; numbers only when negative; dates, times
    and IP addresses never start like a formula and need no quotes."""
    text = f"{column}::text"
    if isinstance(field, TEXT_FIELDS):
        safe = (
            f"CASE WHEN left({text}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') "
            f"THEN '''' || {text} ELSE {text} END"
        )
        return f"""coalesce('"' || replace({safe}, '"', '""') || '"', '')"""
    if isinstance(field, NUMBER_FIELDS):
        return f"coalesce(CASE WHEN {column} < 0 THEN '''' || {text} ELSE {text} END, '')"
    if isinstance(field, models.DateTimeField):
        # The same ISO 8601 form as data.json and the other databases' path.
        return f"coalesce(replace(({column} AT TIME ZONE 'UTC')::text, ' ', 'T') || '+00:00', '')"
    if isinstance(field, models.GenericIPAddressField):
        return f"coalesce(host({column}), '')"  # without the /32 of inet's text form
    return f"coalesce({text}, '')"


def _copy_rows(entry, subject: Subject, out, spool: _Spool) -> int:
    """PostgreSQL: one ``COPY … TO STDOUT`` gives each row as JSON and as a neutralised CSV
    line, and Python only moves bytes: the same content as ``_python_rows`` at several times
    its speed, memory still flat."""
    fields = entry.export_fields
    queryset = entry.rows_of(subject).order_by().values_list(*fields)
    try:
        base, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return 0  # The subject has nothing here (say, no account): no SQL to run.
    quote = connection.ops.quote_name
    names = [quote(f) for f in fields]
    cells = ["''"] * len(spool.positions)
    for name, path in zip(names, fields, strict=True):
        cells[spool.positions[path]] = _csv_cell_sql(f"t.{name}", _field(entry.model_class, path))
    csv_line = " || ',' || ".join(["%s", *cells])
    # CSV format with a delimiter and a quote no JSON text holds: the JSON comes out as it is.
    sql = (
        f"COPY (SELECT row_to_json(t), {csv_line} "  # noqa: S608 (names from the data map)
        f"FROM ({base}) AS t({', '.join(names)})) "
        "TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')"
    )
    label = '"' + entry.name.replace('"', '""') + '"'
    count = 0
    buffer = bytearray()

    def flush() -> None:
        nonlocal count
        if not buffer:
            return
        data = bytes(buffer)
        buffer.clear()
        if b"\x01" in data:
            # A cell held a line break, so COPY quoted that row's CSV line: row by row.
            pairs = [
                (m[1], m[2][1:-1].replace(b"\x01\x01", b"\x01") if m[2][:1] == b"\x01" else m[2])
                for m in _ROW.finditer(data)
            ]
            rows = b",\n".join(p[0] for p in pairs)
            lines = b"".join(p[1] + b"\n" for p in pairs)
            n = len(pairs)
        else:
            # Each line is JSON \x02 CSV: split the two streams with as little Python as can be.
            pairs = [line.partition(b"\x02") for line in data[:-1].split(b"\n")]
            rows = b",\n".join([p[0] for p in pairs])
            lines = b"\n".join([p[2] for p in pairs]) + b"\n"
            n = len(pairs)
        out.write((b",\n" if count else b"") + rows)
        spool.raw.write(lines)
        count += n

    spool.text.flush()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(connection.ops.compose_sql(sql, [label, *params])) as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= FLUSH_BYTES:
                    flush()
        flush()
    return count


_ROW = re.compile(rb"([^\x02]*)\x02(\x01(?:[^\x01]|\x01\x01)*\x01|[^\n]*)\n")


SOURCES = [
    "From you: what you gave us when your account was set up or when you wrote to us.",
    "From your employer (our client): your name, business e-mail address and job title when "
    "they invited you, and any changes they made.",
    "From our systems: how and when you used the product, logins, security events.",
]
RECIPIENTS = [
    "Your employer (our client), which receives reports of how its staff use the product.",
    "Our hosting and e-mail providers in the UK, who process data only on our instructions.",
    "Regulators or law enforcement, only where the law requires it (listed below if any).",
]
OTHER_RIGHTS = [
    "to have inaccurate data corrected (rectification);",
    "to have your data erased, where no exception applies;",
    "to restrict our processing of your data;",
    "to object to processing based on our legitimate interests, and to direct marketing at "
    "any time;",
    "to data portability, where processing rests on consent or a contract with you;",
    "to withdraw consent where we rely on it (we do not, today).",
]


def _index_html(request: RightsRequest, build: _Build) -> str:
    purposes = sorted({e.legal_basis_detail for e in build.entries if e.legal_basis_detail})
    categories: dict[str, list[_EntrySummary]] = {}
    for entry in build.entries:
        categories.setdefault(entry.category_label, []).append(entry)
    return render_to_string(
        "rights/package_index.html",
        {
            "rights_request": request,
            "generated_at": timezone.now(),
            "categories": categories,
            "purposes": purposes,
            "recipients": RECIPIENTS,
            "disclosures": build.disclosures,
            "sources": SOURCES,
            "other_rights": OTHER_RIGHTS,
            "ico": ICO,
            "dpo_email": settings.DPO_EMAIL,
        },
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def access_package_build(*, request: RightsRequest, by=None) -> AccessPackage:
    """Build the request's package, or return the one still live: running it twice builds one.

    The request row is locked while building, so two runs at once cannot both build.
    """
    with transaction.atomic():
        request = RightsRequest.objects.select_for_update().get(pk=request.pk)
        existing = live_package(request)
        if existing is not None:
            return existing
        subject = request_subject(request)
        directory = packages_dir()
        file_name = f"{request.reference}-{secrets.token_hex(8)}.zip"
        target = directory / file_name
        partial = directory / f".{file_name}.partial"
        try:
            with (
                partial.open("wb") as handle,
                zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
            ):
                build = _write_zip(archive, request, subject)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        created = timezone.now()
        package = AccessPackage(
            request=request,
            created_at=created,
            file_name=file_name,
            size=target.stat().st_size,
            sha256=_sha256(target),
            expires_at=created + PACKAGE_LIFETIME,
        )
        package.full_clean()
        package.save()
        rows = sum(e.rows for e in build.entries)
        RequestEvent.objects.create(
            request=request,
            kind=RequestEvent.Kind.ACTION,
            actor=by if getattr(by, "is_authenticated", False) else None,
            actor_label=by.get_username() if getattr(by, "is_authenticated", False) else "system",
            visible_to_requester=True,
            body=(
                f"A copy of your data is ready ({rows} records); it can be downloaded until "
                f"{timezone.localtime(package.expires_at):%-d %B %Y}."
            ),
        )
        audit.record(
            by if getattr(by, "is_authenticated", False) else None,
            "rights_request.package_build",
            target=request,
            details={
                "reference": request.reference,
                "package": package.pk,
                "rows": rows,
                "size": package.size,
                "sha256": package.sha256,
            },
        )
    return package
