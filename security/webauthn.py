"""django-otp-webauthn's helper, as PrivacyDesk runs it: the relying party, the origins and the
rules come from settings (config/settings.py, "Passkeys"); here only what a new passkey is
called until its owner names it."""

from django_otp_webauthn.helpers import WebAuthnHelper

from common.origin import device_label

PASSKEY_NAME_MAX_LENGTH = 64  # django-otp's Device.name


def passkey_default_name(user_agent: str) -> str:
    """ "Passkey on Chrome on Linux": where it was made, until its owner names it."""
    return f"Passkey on {device_label(user_agent)}"[:PASSKEY_NAME_MAX_LENGTH]


class PasskeyHelper(WebAuthnHelper):
    def create_credential(self, user, response, parsed_credential, original_data):
        passkey = super().create_credential(user, response, parsed_credential, original_data)
        passkey.name = passkey_default_name(self.request.META.get("HTTP_USER_AGENT", ""))
        return passkey
