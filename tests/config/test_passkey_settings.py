"""Where passkeys work, from SITE_URL unless PASSKEY_RP_ID and PASSKEY_ORIGINS say otherwise:
browsers refuse an IP address as the passkeys' domain, and offer passkeys only on HTTPS pages
and on localhost."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

CODE = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps([s.OTP_WEBAUTHN_RP_ID, s.OTP_WEBAUTHN_ALLOWED_ORIGINS]))"
)


def passkey_settings(tmp_path, **variables) -> list:
    env = {
        **os.environ,
        "PRIVACYDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **variables,
    }
    for name in ("SITE_URL", "PASSKEY_RP_ID", "PASSKEY_ORIGINS"):
        if name not in variables:
            env.pop(name, None)
    completed = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {CODE}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("http://127.0.0.1:8000", ["localhost", ["http://localhost:8000"]]),
        ("https://privacy.example.com", ["privacy.example.com", ["https://privacy.example.com"]]),
        ("http://intranet.example:8080", ["intranet.example", ["https://intranet.example:8080"]]),
    ],
)
def test_passkeys_follow_the_site_address(tmp_path, site_url, expected):
    assert passkey_settings(tmp_path, SITE_URL=site_url) == expected


def test_the_operator_names_the_domain_and_origins(tmp_path):
    chosen = passkey_settings(
        tmp_path,
        SITE_URL="https://eu.privacy.example.com",
        PASSKEY_RP_ID="privacy.example.com",
        PASSKEY_ORIGINS="https://eu.privacy.example.com,https://uk.privacy.example.com",
    )
    assert chosen == [
        "privacy.example.com",
        ["https://eu.privacy.example.com", "https://uk.privacy.example.com"],
    ]
