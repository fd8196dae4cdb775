"""The WSGI application a web node serves (config/wsgi.py)."""

import os
import subprocess
import sys

from django.conf import settings


def test_a_web_worker_has_every_view_loaded_before_its_first_request(tmp_path):
    """A node's first health check, and its first user, wait for no import of the site's views."""
    check = (
        "import sys, config.wsgi; "
        "print(all(m in sys.modules for m in ('sso.views.login', 'backoffice.views', "
        "'dsar.views.intake', 'scim.views.protocol')))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PRIVACYDESK_VAR_DIR": str(tmp_path),
    }
    loaded = subprocess.run(
        [sys.executable, "-c", check],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert loaded.stdout.strip() == "True"
