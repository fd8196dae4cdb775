from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessFailureLog, AccessLog
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Now

from accounts.models import (
    STAFF_ROLES,
    EmailChange,
    GroupCompany,
    Organisation,
    Role,
    User,
)
from datamap import Subject
from datamap.engines import ExportSection, export_subject
from datamap.presentation import Table, subject_tables


def user_subject(user) -> Subject:
    return Subject.of(user_ids=[user.pk], emails=[user.email])


def user_data_held(user) -> list[ExportSection]:
    """What the data map says we hold about this user, entry by entry."""
    return export_subject(user_subject(user))


def user_data_tables(user, *, limit: int = 20) -> list[Table]:
    """What we hold about this user, entry by entry, as the user reads it: the newest rows."""
    return subject_tables(user_subject(user), limit=limit)


def actor_is_api_key(actor) -> bool:
    """Is ``actor`` an integration's API key (accounts.authentication.ApiKeyPrincipal)?"""
    return bool(getattr(actor, "is_api_key", False))


def actor_is_staff(actor) -> bool:
    return bool(
        actor
        and actor.is_authenticated
        and not actor_is_api_key(actor)
        and (actor.role in STAFF_ROLES or actor.is_superuser)
    )


def user_administers(actor, organisation_id: int | None) -> bool:
    """May ``actor`` administer this organisation? Staff: any; a client admin: their own."""
    if not (actor and actor.is_authenticated and actor.is_active):
        return False
    if actor_is_api_key(actor):
        # A key administers its own organisation only; its scopes are checked by the API.
        return organisation_id is not None and actor.organisation_id == organisation_id
    if actor_is_staff(actor):
        return True
    return (
        actor.role == Role.CLIENT_ADMIN
        and organisation_id is not None
        and actor.organisation_id == organisation_id
    )


def user_can_manage(actor, user: User) -> bool:
    """May ``actor`` run life-cycle actions on ``user``?"""
    return user_administers(actor, user.organisation_id)


def users_visible_to(actor) -> QuerySet[User]:
    """The users ``actor`` may see: their organisation's for a client admin, all for staff.

    Anything outside this queryset answers 404, so ids of another organisation reveal nothing.
    """
    users = User.objects.select_related("organisation")
    if actor_is_staff(actor):
        return users
    if actor_is_api_key(actor):
        return users.filter(organisation_id=actor.organisation_id)
    if actor.is_authenticated and actor.role == Role.CLIENT_ADMIN and actor.organisation_id:
        return users.filter(organisation_id=actor.organisation_id)
    return users.none()


def users_of_organisation(organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(organisation=organisation).select_related("organisation")


RECENT_LOGINS = 20


@dataclass(frozen=True)
class LoginRow:
    time: datetime
    ip_address: str | None
    device: str
    succeeded: bool


def user_recent_logins(user: User, *, limit: int = RECENT_LOGINS) -> list[LoginRow]:
    """The latest login attempts for this e-mail, successes and failures (django-axes).

    Two queries: the console's and the back office's user pages both show these.
    """
    # The login form lower-cases the e-mail before django-axes sees it, as it is stored.
    successes = AccessLog.objects.filter(username=user.email).order_by("-attempt_time")
    failures = AccessFailureLog.objects.filter(username=user.email).order_by("-attempt_time")
    rows = [
        LoginRow(row.attempt_time, row.ip_address, row.user_agent, True)
        for row in successes[:limit]
    ] + [
        LoginRow(row.attempt_time, row.ip_address, row.user_agent, False)
        for row in failures[:limit]
    ]
    return sorted(rows, key=lambda row: row.time, reverse=True)[:limit]


def users_excluded_from_reports() -> QuerySet:
    """Ids of users whose processing is restricted or whose objection was upheld.

    Client usage reports and the company's aggregates leave these people out.
    """
    from django.db.models import Q

    return User.objects.filter(
        Q(processing_restricted_at__isnull=False) | Q(objection_upheld_at__isnull=False)
    ).values("pk")


def _pending_email_changes() -> QuerySet[EmailChange]:
    return EmailChange.objects.filter(
        confirmed_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=Now()
    ).order_by("-created_at")


def email_change_pending(user: User) -> EmailChange | None:
    """The change of address awaiting confirmation by the new address's owner, if any."""
    return _pending_email_changes().filter(user=user).first()


def users_with_pending_email(users: QuerySet[User]) -> QuerySet[User]:
    """``users`` with ``pending_email``: the address a change awaits confirmation of, or None.
    A subquery, so a page of users stays one query."""
    pending = _pending_email_changes().filter(user=OuterRef("pk")).values("new_email")[:1]
    return users.annotate(pending_email=Subquery(pending))


def investigators() -> QuerySet[User]:
    """DPO and support staff: everyone a case (an investigation, a rights request) may be
    assigned to."""
    return User.objects.filter(role__in=STAFF_ROLES, status=User.Status.ACTIVE).order_by(
        "full_name", "email"
    )


def group_companies_of(organisation: Organisation) -> QuerySet[GroupCompany]:
    """The organisations currently entitled to ``organisation``'s usage reports."""
    return GroupCompany.objects.filter(
        organisation=organisation, ended_at__isnull=True
    ).select_related("member")


def report_recipients(organisation: Organisation) -> QuerySet[User]:
    """Who may receive ``organisation``'s usage reports: its active client admins and those of
    the group companies it names."""
    members = group_companies_of(organisation).values("member_id")
    return (
        User.objects.filter(
            role=Role.CLIENT_ADMIN,
            status=User.Status.ACTIVE,
            organisation__status=Organisation.Status.ACTIVE,
        )
        .filter(models.Q(organisation=organisation) | models.Q(organisation__in=members))
        .select_related("organisation")
    )
