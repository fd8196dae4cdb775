"""Client organisations: staff create, configure, close and reopen them; a client admin
changes the settings of their own."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import DomainNameValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

import audit
from accounts.api_key_cache import organisation_credentials_forget, organisation_credentials_reread
from accounts.models import (
    ERASED_EMAIL_SUFFIX,
    Invitation,
    Organisation,
    Role,
    User,
    UserManager,
)
from accounts.selectors import actor_is_staff, user_administers
from accounts.services.api_keys import api_key_revoke
from accounts.services.invitations import invitation_issue, invited_user_create
from accounts.services.users import EmailTaken, InvalidTransition, user_terminate
from accounts.tasks import notice_enqueue

EMAIL_TAKEN = "A user with this e-mail address already exists."
MAX_EMAIL_DOMAINS = 20
_domain = DomainNameValidator(accept_idna=False, message="")


def _require_staff(by, *, system_allowed: bool = False) -> None:
    if by is None and system_allowed:
        return
    if not actor_is_staff(by):
        raise PermissionDenied("Only PrivacyDesk staff manage client organisations.")


def _organisation_setting_set(*, organisation: Organisation, field: str, value: bool, by):
    """Change one of the organisation's yes/no settings (its admins' or staff's to change),
    with an audit entry ``organisation.<field>``; setting it as it is changes nothing."""
    if not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not change this organisation's settings.")
    if getattr(organisation, field) == value:
        return organisation
    with transaction.atomic():
        setattr(organisation, field, value)
        organisation.save(update_fields=[field, "updated_at"])
        audit.record(by, f"organisation.{field}", target=organisation, details={field: value})
    return organisation


def organisation_set_mfa_required(*, organisation: Organisation, mfa_required: bool, by):
    return _organisation_setting_set(
        organisation=organisation, field="mfa_required", value=mfa_required, by=by
    )


def organisation_set_passkey_sign_in(*, organisation: Organisation, allowed: bool, by):
    """Let the organisation's people sign in with a passkey alone (no password), or stop it.

    Their passkeys keep working as the second step after the password either way.
    """
    return _organisation_setting_set(
        organisation=organisation, field="passkey_sign_in", value=allowed, by=by
    )


# --- Onboarding ---------------------------------------------------------------------------


def _free_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def organisation_create(
    *, name: str, admin_email: str, admin_name: str = "", mfa_required: bool = False, by
) -> tuple[Organisation, Invitation]:
    """A new client and its first client admin, invited with the usual 72-hour link.

    ``by`` is a staff member, or None for the system (``manage.py create_organisation``).
    """
    _require_staff(by, system_allowed=True)
    name = " ".join((name or "").split())
    admin_email = UserManager.normalize_email(admin_email)
    admin_name = " ".join((admin_name or "").split()) or admin_email.split("@")[0]
    errors = {}
    if not name:
        errors["name"] = "Give the organisation's name."
    elif Organisation.objects.filter(name__iexact=name).exists():
        errors["name"] = "An organisation with this name already exists."
    try:
        validate_email(admin_email)
    except ValidationError:
        errors["admin_email"] = "Enter a valid e-mail address."
    else:
        if User.objects.filter(email=admin_email).exists():
            errors["admin_email"] = EMAIL_TAKEN
    if errors:
        raise ValidationError(errors)
    organisation = Organisation(name=name, slug=_free_slug(name), mfa_required=mfa_required)
    organisation.full_clean()
    try:
        with transaction.atomic():
            organisation.save()
            audit.record(
                by,
                "organisation.create",
                target=organisation,
                details={"mfa_required": mfa_required},
            )
            _, invitation = invited_user_create(
                organisation=organisation,
                email=admin_email,
                full_name=admin_name,
                role=Role.CLIENT_ADMIN,
                by=by,
            )
    except EmailTaken:
        raise ValidationError({"admin_email": EMAIL_TAKEN}) from None
    return organisation, invitation


def email_domains_clean(domains) -> list[str]:
    """E-mail domains as typed, lower case and de-duplicated; ValidationError on "domains"
    for one that is not a full domain."""
    cleaned = []
    for raw in domains:
        domain = raw.strip().lower().removeprefix("@").rstrip(".")
        if not domain:
            continue
        try:
            _domain(domain)
        except ValidationError:
            raise ValidationError(
                {"domains": f"“{raw.strip()[:100]}” is not an e-mail domain (e.g. example.co.uk)."}
            ) from None
        if "." not in domain:
            raise ValidationError(
                {"domains": f"“{domain}” is not a full domain: add its ending (e.g. .co.uk)."}
            )
        if domain not in cleaned:
            cleaned.append(domain)
    if len(cleaned) > MAX_EMAIL_DOMAINS:
        raise ValidationError({"domains": f"Give at most {MAX_EMAIL_DOMAINS} domains."})
    return sorted(cleaned)


def organisation_set_email_domains(*, organisation: Organisation, domains, by) -> Organisation:
    """The domains invitations normally go to; an empty list allows any."""
    _require_staff(by)
    cleaned = email_domains_clean(domains)
    if cleaned == organisation.allowed_email_domains:
        return organisation
    with transaction.atomic():
        previous = organisation.allowed_email_domains
        organisation.allowed_email_domains = cleaned
        organisation.save(update_fields=["allowed_email_domains", "updated_at"])
        audit.record(
            by,
            "organisation.email_domains",
            target=organisation,
            details={"from": previous, "to": cleaned},
        )
    return organisation


# --- Contract end -------------------------------------------------------------------------


def organisation_close(
    *, organisation: Organisation, reason: str, effective_on: date | None, by
) -> Organisation:
    """End the client's contract: every account ends at one recorded moment (sessions end,
    links stop working), every API key is revoked, the client admins are told by e-mail.

    The moment of closing starts the retention clock of every account it ends, so nothing is
    purged earlier than the closure allows; legal holds keep their people's data as always.
    The effective date is the contract's end as the client agreed it: today or earlier, since
    closing ahead of time would cut the client off before its contract ends.
    """
    _require_staff(by)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Give the reason for closing the organisation."
    if effective_on is None:
        errors["effective_on"] = "Give the date the contract ends."
    elif effective_on > timezone.localdate():
        errors["effective_on"] = (
            "The effective date cannot be in the future: close the organisation on or after "
            "the day its contract ends."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.is_closed:
            raise InvalidTransition(f"{organisation.name} is already closed.")
        now = timezone.now()
        ending = list(
            User.objects.filter(organisation=organisation)
            .exclude(status=User.Status.TERMINATED)
            .select_related("organisation")
            .order_by("pk")
        )
        for user in ending:
            user_terminate(user=user, by=by, closed_at=now)
        keys = list(organisation.api_keys.filter(revoked=False))
        for key in keys:
            api_key_revoke(key=key, by=by)
        organisation.status = Organisation.Status.CLOSED
        # Its SCIM tokens are not revoked (a reopening brings them back), but no process may
        # go on using what it remembered of them.
        pk = organisation.pk
        transaction.on_commit(lambda: organisation_credentials_forget(pk))
        organisation.closure_reason = reason
        organisation.closure_effective_on = effective_on
        organisation.closed_at = now
        organisation.closed_by = by
        organisation.save()
        audit.record(
            by,
            "organisation.close",
            target=organisation,
            details={
                "reason": reason,
                "effective_on": effective_on.isoformat(),
                "accounts_ended": len(ending),
                "api_keys_revoked": len(keys),
            },
        )
        for admin in ending:
            if admin.role == Role.CLIENT_ADMIN:
                notice_enqueue(
                    user=admin,
                    kind="organisation_closed",
                    context={
                        "organisation": organisation.name,
                        "effective_on": f"{effective_on:%-d %B %Y}",
                    },
                )
    return organisation


def organisation_accounts_ended_by_closure(organisation: Organisation):
    """The accounts the closure terminated: those that ended at its recorded moment."""
    if organisation.closed_at is None:
        return User.objects.none()
    return User.objects.filter(
        organisation=organisation,
        status=User.Status.TERMINATED,
        terminated_at=organisation.closed_at,
    )


def organisation_reopen(*, organisation: Organisation, by) -> Organisation:
    """Undo a closure while the organisation's data is still held.

    The accounts the closure ended come back as they were: a suspended one suspended, the
    others invited, never active with an old password. Its client admins get a fresh 72-hour
    link at once; members wait for their admin to send theirs from the console. Once the
    retention purge (or a rights request) has erased any of those accounts the closure is
    final: a returning client is onboarded as a new organisation.
    """
    _require_staff(by)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not organisation.is_closed:
            raise InvalidTransition(f"{organisation.name} is not closed.")
        ended = organisation_accounts_ended_by_closure(organisation)
        erased = ended.filter(email__endswith=ERASED_EMAIL_SUFFIX).count()
        if erased:
            raise InvalidTransition(
                f"{organisation.name} cannot be reopened: its data has been erased by the "
                f"retention purge ({erased} of the accounts its closure ended). Create a new "
                "organisation for a returning client."
            )
        restored = list(ended.select_related("organisation").order_by("pk"))
        previous = {
            "reason": organisation.closure_reason,
            "effective_on": organisation.closure_effective_on,
            "closed_at": organisation.closed_at,
        }
        organisation.status = Organisation.Status.ACTIVE
        pk = organisation.pk
        transaction.on_commit(lambda: organisation_credentials_reread(pk))
        organisation.closure_reason = ""
        organisation.closure_effective_on = None
        organisation.closed_at = None
        organisation.closed_by = None
        organisation.save()
        for user in restored:
            user.organisation = organisation
            user.status = (
                User.Status.SUSPENDED if user.suspended_at is not None else User.Status.INVITED
            )
            user.terminated_at = None
            user.terminated_by = None
            user.set_unusable_password()
            user.save(update_fields=["status", "terminated_at", "terminated_by", "password"])
            audit.record(by, "user.restore", target=user, details={"status": user.status})
        audit.record(
            by,
            "organisation.reopen",
            target=organisation,
            details={"previous_closure": previous, "accounts_restored": len(restored)},
        )
        for user in restored:
            if user.role == Role.CLIENT_ADMIN and user.status == User.Status.INVITED:
                invitation_issue(user=user, by=by)
    return organisation
