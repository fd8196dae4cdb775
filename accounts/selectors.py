from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import (
    STAFF_ROLES,
    EmailChange,
    GroupCompany,
    Organisation,
    PurposeObjection,
    Role,
    User,
    UserManager,
)
from datamap import Subject
from datamap.engines import ExportSection, export_subject
from datamap.presentation import Table, subject_tables
from datamap.purposes import RESTRICTED_PURPOSES, Purpose


def workspace_url(user) -> str:
    """Where this person lands after logging in: the workspace of their role.

    Every place a login completes (the password step, the second step, an accepted invitation,
    the home page) asks here, so the landing page is decided once.
    """
    if user.role in STAFF_ROLES:
        return reverse("backoffice:dashboard")
    if user.is_client_admin and user.organisation_id:
        return reverse("console:users")
    return reverse("account:home")


def user_subject(user) -> Subject:
    return Subject.of(
        user_ids=[user.pk], emails=[user.email], organisation_ids=[user.organisation_id]
    )


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


def actor_decides(actor) -> bool:
    """Support prepares, the DPO decides: completing, rejecting or extending a rights request,
    approving an erasure or a correction, terminating an account outside an investigation
    and opening a breach are the DPO's (or a superuser's)."""
    return actor_is_staff(actor) and (actor.role == Role.DPO or actor.is_superuser)


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


def _investigations():
    # security.Investigation, through User's reverse relation: accounts imports no security.
    return User._meta.get_field("investigations").related_model


def held_for_review() -> Exists:
    """For annotating users: suspended by a security rule, the investigation still open. Only
    the DPO or support lifts such a hold, through the investigation."""
    investigation = _investigations()
    return Exists(
        investigation.objects.filter(
            user=OuterRef("pk"), status=investigation.Status.OPEN, account_suspended=True
        )
    )


def user_held_for_review(user: User) -> bool:
    return user.investigations.open().filter(account_suspended=True).exists()


def users_visible_to(actor) -> QuerySet[User]:
    """The users ``actor`` may see: their organisation's for a client admin, all for staff.

    Anything outside this queryset answers 404, so ids of another organisation reveal nothing.
    """
    users = User.objects.select_related("organisation").annotate(held_for_review=held_for_review())
    return _visible(actor, users)


EVERY_ORGANISATION = "every organisation"


def visible_organisation(actor) -> int | str | None:
    """The organisation whose users ``actor`` sees, EVERY_ORGANISATION, or None (nobody's)."""
    if actor_is_staff(actor):
        return EVERY_ORGANISATION
    if actor_is_api_key(actor):
        return actor.organisation_id
    if actor.is_authenticated and actor.role == Role.CLIENT_ADMIN and actor.organisation_id:
        return actor.organisation_id
    return None


def _visible(actor, users: QuerySet[User]) -> QuerySet[User]:
    organisation_id = visible_organisation(actor)
    if organisation_id == EVERY_ORGANISATION:
        return users
    if organisation_id is None:
        return users.none()
    return users.filter(organisation_id=organisation_id)


def users_of_organisation(organisation: Organisation) -> QuerySet[User]:
    return (
        User.objects.filter(organisation=organisation)
        .select_related("organisation")
        .annotate(held_for_review=held_for_review())
    )


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


@dataclass(frozen=True)
class LoginLockout:
    places: int  # client IPs from which logging in is paused
    until: datetime  # when the last of those pauses ends by itself


def login_lockout(user: User) -> LoginLockout | None:
    """Whether logging in to this account is paused now (django-axes' attempts at the failure
    limit within the cool-off, one per client IP), and until when; None when it is not."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    locked = AccessAttempt.objects.filter(
        username=user.email,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
    ).aggregate(places=models.Count("pk"), last=Max("attempt_time"))
    if not locked["places"]:
        return None
    return LoginLockout(places=locked["places"], until=locked["last"] + settings.AXES_COOLOFF_TIME)


def mfa_enrolled() -> Q:
    """Has the user a confirmed authenticator app or passkey? Two EXISTS, for annotating."""
    app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    passkey = WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True)
    return Exists(app) | Exists(passkey)


def users_not_processable(purpose: str) -> QuerySet:
    """Ids of users whose data ``purpose`` must leave alone, for filtering in one query
    (``.exclude(user_id__in=users_not_processable(Purpose.USAGE))``).

    The queryset form of ``may_process``: restricted people for the purposes a restriction
    stops, and people whose objection to this purpose was upheld.
    """
    purpose = Purpose(purpose)
    objecting = Q(pk__in=PurposeObjection.objects.filter(purpose=purpose).values("user_id"))
    if purpose in RESTRICTED_PURPOSES:
        objecting |= Q(processing_restricted_at__isnull=False)
    return User.objects.filter(objecting).values("pk")


def may_process(user: User, purpose: str) -> bool:
    """The question every point of processing asks: may ``purpose`` use this person's data?
    One rule, the one ``users_not_processable`` filters with."""
    return not users_not_processable(purpose).filter(pk=user.pk).exists()


def objected_purposes(user: User) -> list[Purpose]:
    """The purposes whose objection by this person was upheld, in the record's order."""
    upheld = set(PurposeObjection.objects.filter(user=user).values_list("purpose", flat=True))
    return [purpose for purpose in Purpose if purpose in upheld]


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


def staff_may_manage(actor) -> bool:
    """May ``actor`` invite and off-board staff? The DPO or a superuser; support only looks."""
    return bool(
        actor_is_staff(actor) and actor.is_active and (actor.role == Role.DPO or actor.is_superuser)
    )


STAFF_STATUS_FILTERS = [
    ("current", "Current staff"),
    ("terminated", "Off-boarded"),
    ("all", "Everyone"),
]


def staff_members(status: str = "current") -> QuerySet[User]:
    """The company's DPO and support accounts, with ``mfa_enrolled`` (a confirmed
    authenticator app or passkey) as an EXISTS, so a page of them stays one query. ``status``
    is one of STAFF_STATUS_FILTERS' values."""
    staff = User.objects.filter(role__in=STAFF_ROLES).annotate(mfa_enrolled=mfa_enrolled())
    if status == "current":
        staff = staff.exclude(status=User.Status.TERMINATED)
    elif status == "terminated":
        staff = staff.filter(status=User.Status.TERMINATED)
    return staff.order_by("full_name", "email", "pk")


def staff_member_invited(email: str) -> User | None:
    """The staff member with this address who has not accepted their invitation yet, if any."""
    return User.objects.filter(
        email=UserManager.normalize_email(email), role__in=STAFF_ROLES, status=User.Status.INVITED
    ).first()


def staff_active_dpos() -> QuerySet[User]:
    return User.objects.filter(role=Role.DPO, status=User.Status.ACTIVE)


def group_companies_of(organisation: Organisation) -> QuerySet[GroupCompany]:
    """The organisations currently entitled to ``organisation``'s usage reports."""
    return GroupCompany.objects.filter(
        organisation=organisation, ended_at__isnull=True
    ).select_related("member", "organisation", "recorded_by")


def group_companies_ended_of(organisation: Organisation) -> QuerySet[GroupCompany]:
    """The entitlements to ``organisation``'s reports that ended, the latest first: its history."""
    return (
        GroupCompany.objects.filter(organisation=organisation, ended_at__isnull=False)
        .select_related("member", "organisation", "recorded_by", "ended_by")
        .order_by("-ended_at", "-pk")
    )


def report_entitlements_of(organisation_id: int | None) -> QuerySet[GroupCompany]:
    """The current entitlements of the organisation ``organisation_id`` to other organisations'
    reports (it is their group company, affiliate or partner), by the parent's name."""
    return (
        GroupCompany.objects.filter(
            member_id=organisation_id,
            ended_at__isnull=True,
            organisation__status=Organisation.Status.ACTIVE,
        )
        .select_related("organisation", "member")
        .order_by("organisation__name", "pk")
    )


def report_entitlement(*, member_id: int | None, organisation_id) -> GroupCompany | None:
    """The current entitlement of ``member_id`` to the reports of ``organisation_id``, if any.
    The one check every group-company read of a parent's report goes through."""
    if member_id is None:
        return None
    return report_entitlements_of(member_id).filter(organisation_id=organisation_id).first()


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
