"""What a verified answer from an identity provider leads to: a login to the account it names,
or a refusal the person is shown.

The IdP vouches for an e-mail address; it is believed only inside the organisation's verified
domains, and only for that organisation's accounts. A suspended or terminated account is
refused whatever the IdP says. An unknown address creates a member (just in time) when the
connection allows it; an invited one is activated. The login itself is Django's, so each one
is a login like any other: the session row, the usage event, the suspicious-activity rules,
the new-device notice and django-axes' access log all follow from the user_logged_in signal.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import Role, User, UserManager
from accounts.services.single_sign_on import user_activate_at_sso_login, user_create_at_sso_login
from accounts.services.users import EmailTaken
from sso.backends import SSO_BACKEND
from sso.models import SsoConnection
from sso.selectors import connection_usable, email_domain, verified_domains_of

logger = logging.getLogger(__name__)

NOT_VERIFIED = (
    "Your identity provider could not be verified, so single sign-on did not log you in. "
    "Try again; if it happens again, tell your organisation's administrator."
)
REFUSALS = {
    "unverified_domain": (
        "Your identity provider vouched for an e-mail address outside your organisation's "
        "verified domains, so it cannot log you in here. Ask your organisation's administrator."
    ),
    "no_email": (
        "Your identity provider did not tell us your e-mail address, so it cannot log you in "
        "here. Ask your organisation's administrator to send it."
    ),
    "no_account": (
        "You have no PrivacyDesk account yet. Ask your organisation's administrator to invite you."
    ),
    "inactive": (
        "Your PrivacyDesk account is suspended or closed, so you cannot log in. Ask your "
        "organisation's administrator."
    ),
    "idp_error": (
        "Your identity provider did not log you in. Try again, or ask your organisation's "
        "administrator."
    ),
    "idp_unreachable": ("Your identity provider could not be reached. Try again in a few minutes."),
    "unavailable": (
        "Single sign-on is not available for your organisation at the moment. Ask your "
        "organisation's administrator."
    ),
}


class LoginRefused(Exception):
    """No login: ``reason`` is a code for the log and the tests, ``message`` what the person
    reads."""

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.message = message or REFUSALS.get(reason, NOT_VERIFIED)


@dataclass(frozen=True)
class Vouched:
    """What the IdP vouched for, once its answer has been verified."""

    email: str
    full_name: str = ""
    roles: tuple[str, ...] = ()


def first_email(values) -> str:
    """The first value that is an e-mail address, normalised; "" if none is."""
    for value in values:
        email = UserManager.normalize_email(str(value))
        try:
            validate_email(email)
        except ValidationError:
            continue
        return email
    return ""


def _role(connection: SsoConnection, vouched: Vouched) -> str:
    if connection.role_attribute and connection.admin_role_value in vouched.roles:
        return Role.CLIENT_ADMIN
    return Role.MEMBER


def sso_account(*, connection: SsoConnection, vouched: Vouched) -> User:
    """The account this login is for: found, activated or created. LoginRefused if none."""
    organisation = connection.organisation
    if not vouched.email:
        raise LoginRefused("no_email")
    if email_domain(vouched.email) not in verified_domains_of(organisation.pk):
        raise LoginRefused("unverified_domain")
    user = User.objects.filter(email=vouched.email).select_related("organisation").first()
    if user is not None and user.organisation_id != organisation.pk:
        # Staff accounts, or another client's: this IdP does not speak for them.
        raise LoginRefused("unverified_domain")
    if user is None:
        if not connection.jit_enabled:
            raise LoginRefused("no_account")
        try:
            return user_create_at_sso_login(
                organisation=organisation,
                email=vouched.email,
                full_name=vouched.full_name,
                role=_role(connection, vouched),
            )
        except (EmailTaken, ValidationError):
            raise LoginRefused("no_account") from None
    if user.status == User.Status.INVITED:
        user = user_activate_at_sso_login(user=user)
    if user.status != User.Status.ACTIVE:
        raise LoginRefused("inactive")
    return user


def sso_login(request, *, connection: SsoConnection, vouched: Vouched) -> User:
    """Log the browser in as the account ``vouched`` names. A refusal of an address in the
    organisation's verified domains is a failed login of that address, as a wrong password is."""
    if not connection_usable(connection):
        raise LoginRefused("unavailable")
    try:
        user = sso_account(connection=connection, vouched=vouched)
    except LoginRefused as refusal:
        logger.warning(
            "Single sign-on refused for organisation %s: %s",
            connection.organisation_id,
            refusal.reason,
        )
        if refusal.reason in {"no_account", "inactive"}:
            user_login_failed.send(
                sender=__name__, credentials={"username": vouched.email}, request=request
            )
        raise
    login(request, user, backend=SSO_BACKEND)
    return user
