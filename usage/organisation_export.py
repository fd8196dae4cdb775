"""An organisation's data export: its users, its roles and its usage totals as CSV files in
one ZIP, handed to the client before its contract ends. Each export is a disclosure to the
client, recorded like a usage report (usage.signals.usage_report_disclosed)."""

import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import FileResponse
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.selectors import actor_is_api_key, user_administers, users_not_processable
from common.csv import csv_text
from common.db_routing import heavy_reads
from datamap.purposes import Purpose
from usage.models import DailyUserUsage
from usage.signals import usage_report_disclosed

USERS_HEADER = ("name", "email", "role", "status", "joined", "last_login")
ROLES_HEADER = ("role", "users")
USAGE_HEADER = ("month", "name", "email", "events", "minutes")


@dataclass(frozen=True)
class OrganisationExport:
    filename: str
    content: bytes
    user_ids: list[int]


def _local(moment) -> str:
    return "" if moment is None else f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _users_csv(users: list[User]) -> str:
    return csv_text(
        USERS_HEADER,
        (
            (
                user.full_name,
                user.email,
                user.get_role_display(),
                user.get_status_display(),
                _local(user.date_joined),
                _local(user.last_login),
            )
            for user in users
        ),
    )


def _roles_csv(organisation: Organisation) -> str:
    labels = dict(User._meta.get_field("role").choices)
    counts = (
        User.objects.filter(organisation=organisation)
        .order_by("role")
        .values_list("role")
        .annotate(n=Count("pk"))
    )
    return csv_text(ROLES_HEADER, ((labels.get(role, role), n) for role, n in counts))


def _usage_csv(organisation: Organisation) -> tuple[str, set[int]]:
    """Totals per person per month from the daily rollups. People the usage purpose may not
    process (restricted, or objecting to it) are left out, as from every usage report."""
    rows = list(
        DailyUserUsage.objects.filter(organisation=organisation, user__isnull=False)
        .exclude(user_id__in=users_not_processable(Purpose.USAGE))
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("month", "user_id", "user__full_name", "user__email")
        .annotate(events=Sum("event_count"), duration=Sum("total_duration_ms"))
        .order_by("month", "user__full_name", "user__email", "user_id")
    )
    text = csv_text(
        USAGE_HEADER,
        (
            (
                f"{row['month']:%Y-%m}",
                row["user__full_name"],
                row["user__email"],
                row["events"],
                round(row["duration"] / 60000, 1),
            )
            for row in rows
        ),
    )
    return text, {row["user_id"] for row in rows}


@heavy_reads
def organisation_export_build(organisation: Organisation) -> OrganisationExport:
    """The ZIP, built in memory: three CSV files, every cell neutralised against formulas."""
    users = list(User.objects.filter(organisation=organisation).order_by("full_name", "email"))
    usage_csv, usage_user_ids = _usage_csv(organisation)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", _users_csv(users))
        archive.writestr("roles.csv", _roles_csv(organisation))
        archive.writestr("usage-totals.csv", usage_csv)
    today = timezone.localdate()
    return OrganisationExport(
        filename=f"{organisation.slug}-export-{today:%Y-%m-%d}.zip",
        content=buffer.getvalue(),
        user_ids=sorted({user.pk for user in users} | usage_user_ids),
    )


def organisation_export(*, organisation: Organisation, by, channel: str) -> OrganisationExport:
    """The export for the organisation's own client admin, or for staff acting for the client;
    recorded as one disclosure to the client. A closed organisation's export is refused: the
    client is offered it before closure."""
    if actor_is_api_key(by) or not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not export this organisation's data.")
    if organisation.is_closed:
        raise ValidationError(
            f"{organisation.name} is closed: its data export is offered before closure. "
            "Reopen the organisation to export its data."
        )
    export = organisation_export_build(organisation)
    usage_report_disclosed.send(
        sender=organisation_export,
        organisation=organisation,
        legal_basis=(
            "Legitimate interests: returning to the client, which employs the users, the "
            "account and usage data it asked for"
        ),
        categories=["contact", "usage"],
        description=f"Organisation data export (users, roles, usage totals), {channel}",
        subject_user_ids=export.user_ids,
        by=by,
    )
    return export


def organisation_export_response(export: OrganisationExport) -> FileResponse:
    """The ZIP as a download, streamed in blocks from memory."""
    return FileResponse(
        io.BytesIO(export.content),
        as_attachment=True,
        filename=export.filename,
        content_type="application/zip",
    )
