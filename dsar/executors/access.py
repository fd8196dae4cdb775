"""The access (and portability) package: a ZIP of everything the data map holds on a subject.

Every row is written once, into its entry's CSV (a structured, commonly used and
machine-readable format that a spreadsheet opens), headed in words (datamap.presentation);
cells keep their stored form (times in ISO 8601 UTC) so that another system can read them back;
``data.json`` describes every entry (what it
is, why it is held, how long it is kept, its fields, its file and its row count) and
``index.html`` says it all in words. Streamed to a scratch file so memory stays flat whatever
the subject's volume, then kept in the packages storage (``package_files``): on PostgreSQL one
``COPY … TO STDOUT WITH (FORMAT csv)`` per entry formats the rows, elsewhere they are read in
chunks through the ORM.
"""

import csv
import datetime
import hashlib
import io
import json
import os
import secrets
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

import audit
from accounts.organisation_selectors import organisations_of_users
from common.csv import neutralise
from common.db_routing import heavy_reads
from datamap import Category, Retain, Subject, registry
from datamap.engines import iter_subject_rows
from datamap.presentation import Table, csv_headers, entry_table, entry_title, erasure_words
from dsar.executors.package_copy import copy_rows
from dsar.executors.package_files import PACKAGE_FOLDER, package_storage
from dsar.models import AccessPackage, RequestEvent, RightsRequest, State
from dsar.services.letters import ICO, letter_send
from dsar.services.timeline import SYSTEM, state_move
from records.selectors import processors_receiving
from retention.models import RetentionPolicy

PACKAGE_LIFETIME = datetime.timedelta(days=7)
CHUNK_SIZE = 5000
WRITE_BATCH = 1000  # rows joined before each write into the archive
DISCLOSURES_ENTRY = "audit.disclosures_about"


def request_subject(request: RightsRequest) -> Subject:
    """The person a request is about: its confirmed accounts plus the requester's e-mail."""
    user_ids = list(request.subjects.values_list("user_id", flat=True))
    return Subject.of(
        user_ids=user_ids,
        emails=[request.requester_email],
        organisation_ids=organisations_of_users(user_ids),
    )


def live_package(request: RightsRequest) -> AccessPackage | None:
    """The request's newest package that can still be downloaded."""
    return (
        request.packages.filter(deleted_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )


@dataclass
class _EntrySummary:
    """What data.json and index.html say of one entry."""

    name: str
    title: str
    category: str
    description: str
    legal_basis: str
    legal_basis_detail: str
    retention_category: str
    retention: str  # the period in words
    erasure: str
    kept_reason: str  # on an erasure request, what stays and why
    note: str
    fields: list[str]
    columns: list[str]  # the CSV's headings, in the order of ``fields``
    file: str
    row_count: int


def _retention_words(entry, policies: dict[str, RetentionPolicy]) -> str:
    policy = policies.get(entry.retention_category)
    if policy is None:
        return "Kept as long as our retention schedule sets for it"
    return policy.kept_for_you


def _file_names(entries) -> dict[str, str]:
    """One CSV per entry, named from its title in words: "usage-events.csv", "logins.csv"."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for entry in entries:
        stem = slugify(entry_title(entry)) or slugify(entry.name)
        name, n = f"{stem}.csv", 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}.csv"
        taken.add(name)
        names[entry.name] = name
    return names


def _summary(entry, row_count: int, file: str, retention: str) -> _EntrySummary:
    return _EntrySummary(
        name=entry.name,
        title=entry_title(entry),
        category=str(entry.category),
        description=entry.description,
        legal_basis=entry.legal_basis.label,
        legal_basis_detail=entry.legal_basis_detail,
        retention_category=entry.retention_category,
        retention=retention,
        erasure=erasure_words(entry),
        kept_reason=entry.erasure.reason if isinstance(entry.erasure, Retain) else "",
        note=entry.export_note,
        fields=list(entry.export_fields),
        columns=csv_headers(entry),
        file=file,
        row_count=row_count,
    )


@dataclass
class _Build:
    entries: list[_EntrySummary] = field(default_factory=list)
    disclosures: Table | None = None


def _write_members(archive, request: RightsRequest, subject: Subject) -> _Build:
    """One CSV per entry, its headings in words, straight into the archive; then data.json,
    which describes every entry and says where its rows are; then index.html, once the counts
    are known."""
    entries = registry.entries()
    files = _file_names(entries)
    policies = {policy.category: policy for policy in RetentionPolicy.objects.all()}
    build = _Build()
    counts: dict[str, int] = {}
    fast = connection.vendor == "postgresql"
    for entry in entries:
        columns = list(entry.export_fields)
        with archive.open(files[entry.name], "w", force_zip64=True) as member:
            member.write(_csv_lines([[neutralise(c) for c in csv_headers(entry)]]))
            if fast:
                counts[entry.name] = copy_rows(entry, subject, member, columns)
            else:
                counts[entry.name] = _python_rows(entry, subject, member, columns, build)
    # The disclosures are few; index.html lists each one, in words.
    build.disclosures = entry_table(registry.entry(DISCLOSURES_ENTRY), subject, limit=None)

    build.entries = [
        _summary(entry, counts[entry.name], files[entry.name], _retention_words(entry, policies))
        for entry in entries
    ]
    manifest = {
        "reference": request.reference,
        "generated_at": timezone.now().astimezone(datetime.UTC).isoformat(),
        "requester_email": request.requester_email,
        "entries": [asdict(summary) for summary in build.entries],
    }
    archive.writestr("data.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    archive.writestr("index.html", _index_html(request, build))
    return build


def _csv_cell(value) -> str:
    """One cell as ``_csv_cell_sql`` writes it on PostgreSQL: JSON as JSON, neutralised."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return neutralise(value)


def _csv_lines(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def _python_rows(entry, subject: Subject, member, columns: list[str], build: _Build) -> int:
    """Rows read through the ORM, in chunks: any database. ``columns`` is the file's columns
    (the entry's export fields); a test may pass a wider list to compare with COPY."""
    slots = [columns.index(f) for f in entry.export_fields]
    count = 0
    batch = []
    for row in iter_subject_rows(entry, subject, CHUNK_SIZE):
        cells = [""] * len(columns)
        for slot, value in zip(slots, row, strict=True):
            cells[slot] = _csv_cell(value)
        batch.append(cells)
        if len(batch) >= WRITE_BATCH:
            member.write(_csv_lines(batch))
            count += len(batch)
            batch = []
    member.write(_csv_lines(batch))
    return count + len(batch)


SOURCES = [
    "From you: what you gave us when your account was set up or when you wrote to us.",
    "From your employer (our client): your name, business e-mail address and job title when "
    "they invited you, and any changes they made.",
    "From our systems: how and when you used the product, logins, security events.",
]
RECIPIENTS = [
    "Your employer (our client), which receives reports of how its staff use the product.",
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
        categories.setdefault(Category(entry.category).label, []).append(entry)
    return render_to_string(
        "dsar/rights/package_index.html",
        {
            "rights_request": request,
            "generated_at": timezone.now(),
            "categories": categories,
            "purposes": purposes,
            "recipients": RECIPIENTS,
            "register": processors_receiving({e.category for e in build.entries if e.row_count}),
            "disclosures": build.disclosures,
            "sources": SOURCES,
            "other_rights": OTHER_RIGHTS,
            "ico": ICO,
            "dpo_email": settings.DPO_EMAIL,
        },
    )


def _sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


@heavy_reads(caught_up=True)
def _package_file_save(request: RightsRequest, subject: Subject) -> tuple[str, int, str, _Build]:
    """Write the package into a local scratch file (memory stays flat), then hand it whole to
    the storage; returns its storage name, size, SHA-256 and what it holds.

    Its reads are heavy: they go to the replica once it has replayed everything the primary
    had written when the build began (the request row is only locked, nothing written yet)."""
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            build = _write_members(archive, request, subject)
        size = handle.seek(0, os.SEEK_END)
        sha256 = _sha256(handle)
        handle.seek(0)
        wanted = f"{PACKAGE_FOLDER}/{request.reference}-{secrets.token_hex(8)}.zip"
        stored = package_storage().save(wanted, File(handle, name=wanted))
    return stored, size, sha256, build


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
        stored, size, sha256, build = _package_file_save(request, subject)
        person = by if getattr(by, "is_authenticated", False) else None
        created = timezone.now()
        package = AccessPackage(
            request=request,
            created_at=created,
            file_name=PurePosixPath(stored).name,
            size=size,
            sha256=sha256,
            expires_at=created + PACKAGE_LIFETIME,
        )
        try:
            if request.state == State.VERIFIED:
                state_move(request, State.IN_PROGRESS, by=person or SYSTEM, body="Work started.")
            package.full_clean()
            package.save()
            rows = sum(e.row_count for e in build.entries)
            RequestEvent.objects.create(
                request=request,
                kind=RequestEvent.Kind.ACTION,
                actor=person,
                actor_label=person.get_username() if person else "system",
                visible_to_requester=True,
                body=(
                    f"A copy of your data is ready ({rows} records); it can be downloaded until "
                    f"{timezone.localtime(package.expires_at):%-d %B %Y}."
                ),
            )
            audit.record(
                person,
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
        except BaseException:
            # No record, no file: a failed build leaves nothing personal behind.
            package_storage().delete(stored)
            raise
        # This runs in the worker already, so the letter goes straight out once it commits.
        expires_on = f"{timezone.localtime(package.expires_at):%-d %B %Y}"
        transaction.on_commit(lambda: letter_send("package_ready", request, expires_on=expires_on))
    return package
