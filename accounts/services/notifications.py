"""E-mails to a user about their account. Sent by a task after the transaction commits.

Service and security notices are not marketing: they go out whatever the person's
communication preferences say.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

NOTICES = {
    "invitation": "You have been invited to PrivacyDesk",
    "password_changed": "Your PrivacyDesk password was changed",
    "mfa_reset": "Your two-step login was reset",
    "locked_out": "Logging in to your PrivacyDesk account was paused",
    "suspended": "Your PrivacyDesk account was suspended",
    "held_for_review": "Your PrivacyDesk account is held pending review",
    "reactivated": "Your PrivacyDesk account was reactivated",
    "email_change_confirm": "Confirm your new e-mail address for PrivacyDesk",
    "email_change_requested": "A change of your PrivacyDesk e-mail address was asked for",
    "email_changed": "Your PrivacyDesk e-mail address was changed",
    "organisation_closed": "Your organisation's PrivacyDesk service has been closed",
    "usage_report_ready": "Your scheduled usage report is ready",
    # Security notices (security/services/notices.py): each tells what happened, when, from
    # where, and what to do if it was not the person.
    "mfa_enrolled": "Two-step login was set up on your PrivacyDesk account",
    "mfa_removed": "Two-step login was turned off on your PrivacyDesk account",
    "backup_codes_regenerated": "New backup codes were made for your PrivacyDesk account",
    "backup_code_used": "A backup code was used to log in to your PrivacyDesk account",
    "new_login": "A new login to your PrivacyDesk account",
    "passkey_added": "A passkey was added to your PrivacyDesk account",
    "passkey_removed": "A passkey was removed from your PrivacyDesk account",
    "lockout_lifted": "Logging in to your PrivacyDesk account is possible again",
    "email_changed_new_address": "This is now your PrivacyDesk e-mail address",
    "password_reset_sso": "Your organisation logs in to PrivacyDesk with single sign-on",
    # To every active client admin of the organisation (scim.services).
    "scim_token_created": "A provisioning (SCIM) token was created for your organisation",
    "scim_token_revoked": "A provisioning (SCIM) token of your organisation was revoked",
    # To every active client admin of the organisation (sso.services.connections).
    "sso_connection_changed": "Your organisation's single sign-on settings were changed",
}


def notice_send(*, user, kind: str, context: dict | None = None, to: str | None = None) -> None:
    """Render and send one notice now (tasks call this), to ``to`` or else the user's address."""
    body = render_to_string(
        f"accounts/emails/{kind}.txt",
        {
            "user": user,
            "site_url": settings.SITE_URL,
            "dpo_email": settings.DPO_EMAIL,
            "now": timezone.now(),
            **(context or {}),
        },
    )
    send_mail(NOTICES[kind], body, None, [to or user.email])
