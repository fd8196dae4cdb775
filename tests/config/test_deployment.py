"""The deployment files agree with the settings, and production settings pass Django's checks.

This module is also a URLconf (see ``urlpatterns`` below): the site's own URLs plus two views
that fail, so that the error pages are tested as a production request meets them.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from config import urls as site_urls

BASE_DIR = Path(settings.BASE_DIR)
APP_SERVICES = ("migrate", "web", "worker", "beat")


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def env_example(*, include_commented: bool = True) -> dict[str, str]:
    """The NAME=value lines of .env.example as {name: value}; "# NAME=value" lines document
    a variable (and its default) without setting it."""
    found = {}
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and (include_commented or not match[1]):
            found[match[2]] = match[3].strip()
    return found


def variables_read_by_settings() -> set[str]:
    source = (BASE_DIR / "config" / "settings.py").read_text()
    readers = (
        r"(?:\benv|environ\.Env\(\))\.\w+|\benv_flag|\bsecret_setting|os\.environ\.get|os\.getenv"
    )
    return set(re.findall(rf"(?:{readers})\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def command_of(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


# --- docker-compose.yml -------------------------------------------------------------------


def test_compose_defines_the_database_broker_and_every_app_process():
    services = compose()["services"]

    assert set(services) >= {"db", "redis", "migrate", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:16")
    assert "healthcheck" in services["db"]
    assert services["redis"]["image"].startswith("redis:7")


def test_web_and_worker_share_one_named_volume_at_media_root():
    # The worker writes access packages, the web streams them: both must see the same files.
    config = compose()
    services = config["services"]
    mount = "files:/app/var/media"

    assert mount in services["web"]["volumes"]
    assert mount in services["worker"]["volumes"]
    assert "files" in config["volumes"]
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "PRIVACYDESK_VAR_DIR=/app/var" in dockerfile  # so MEDIA_ROOT is /app/var/media
    assert "/app/var/media" in dockerfile  # made by the image, so the volume is the app's


def test_a_bucket_setting_moves_generated_files_to_s3_compatible_storage(tmp_path):
    env = {
        **os.environ,
        "PRIVACYDESK_VAR_DIR": str(tmp_path),
        "FILES_S3_BUCKET": "privacydesk-files",
        "FILES_S3_ENDPOINT_URL": "https://s3.example.test",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['packages']))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    storage = json.loads(completed.stdout.strip().splitlines()[-1])

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "privacydesk-files"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.test"
    assert storage["OPTIONS"]["default_acl"] == "private"


def test_app_services_run_one_image_with_one_configuration():
    services = compose()["services"]
    app = [services[name] for name in APP_SERVICES]

    for key in ("build", "image", "env_file"):
        values = [service.get(key) for service in app]
        assert values.count(values[0]) == len(values), f"{key} differs: {values}"
    # The one difference: migrate connects as the tables' owner (test_compose_database_roles).
    environments = [
        {k: v for k, v in service["environment"].items() if k != "DATABASE_URL"} for service in app
    ]
    assert environments.count(environments[0]) == len(environments), environments
    assert app[0]["build"] in (".", {"context": "."})
    assert app[0]["env_file"] in (".env", [".env"])

    # What a copied .env gives every container, with compose's own overrides on top.
    effective = {**env_example(include_commented=False), **services["web"]["environment"]}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_HMAC_KEY", "ALLOWED_HOSTS"):
        assert name in effective, f"{name} is not set for the app containers"
    assert effective["DEBUG"] == "0"
    assert effective["STATIC_MANIFEST"] == "1"
    assert urlsplit(effective["REDIS_URL"]).hostname == "redis"
    # compose interpolates the keys from .env and refuses to start while one is empty.
    assert effective["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert effective["AUDIT_HMAC_KEY"].startswith("${AUDIT_HMAC_KEY:?")


def test_database_url_matches_the_db_service():
    services = compose()["services"]
    db_env = services["db"]["environment"]
    url = urlsplit(env_example(include_commented=False)["DATABASE_URL"])

    assert url.scheme in ("postgres", "postgresql")
    assert url.hostname == "db"
    assert url.username == db_env["PRIVACYDESK_DB_APP"]
    assert url.password == db_env["PRIVACYDESK_DB_APP_PASSWORD"]
    assert url.path.lstrip("/") == db_env["POSTGRES_DB"]


def test_compose_database_roles():
    """Migrations run as the tables' owner; web, worker and beat as the app role, which the
    audit migrations restrict to INSERT and SELECT on the trail
    (tests/audit/test_audit_roles.py)."""
    services = compose()["services"]
    db_env = services["db"]["environment"]
    owner_url = urlsplit(services["migrate"]["environment"]["DATABASE_URL"])

    assert "./deploy/postgres/initdb:/docker-entrypoint-initdb.d:ro" in services["db"]["volumes"]
    assert (BASE_DIR / "deploy/postgres/initdb/10-privacydesk-roles.sh").exists()
    assert owner_url.username == db_env["PRIVACYDESK_DB_OWNER"]
    assert owner_url.password == db_env["PRIVACYDESK_DB_OWNER_PASSWORD"]
    assert owner_url.path.lstrip("/") == db_env["POSTGRES_DB"]
    for name in ("web", "worker", "beat"):
        assert "DATABASE_URL" not in services[name]["environment"], name
    app_role = env_example(include_commented=False)["DATABASE_APP_ROLE"]
    assert app_role == db_env["PRIVACYDESK_DB_APP"] != db_env["PRIVACYDESK_DB_OWNER"]
    assert db_env["POSTGRES_USER"] not in (app_role, db_env["PRIVACYDESK_DB_OWNER"])


def test_web_and_celery_start_only_after_migrations_have_run():
    services = compose()["services"]

    assert "migrate" in command_of(services["migrate"])
    assert "collectstatic --noinput" in command_of(services["migrate"])
    assert services["migrate"].get("restart") == "no"
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["db"]["condition"] == "service_healthy", name


def test_each_app_service_runs_its_own_process():
    services = compose()["services"]

    assert re.search(r"\bgunicorn config\.wsgi\b.*0\.0\.0\.0:8000", command_of(services["web"]))
    assert re.search(r"\bcelery -A config worker\b", command_of(services["worker"]))
    assert re.search(r"\bcelery -A config beat\b", command_of(services["beat"]))


def test_the_dockerfile_builds_a_python_311_image_that_runs_as_a_non_root_user():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()

    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert re.search(r"^RUN .*pip install .*\.\s*\\?$", dockerfile, re.MULTILINE)
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")


def test_the_image_has_the_postgresql_client_of_the_composed_servers_major_version():
    """backup and restore run pg_dump, pg_restore and psql in the app's image; pg_dump refuses
    a server newer than itself, so the client's major is the db service's."""
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    server = re.fullmatch(r"postgres:(\d+)(\.\d+)*(-\w+)?", compose()["services"]["db"]["image"])
    major = re.search(r"^ARG POSTGRES_MAJOR=(\d+)$", dockerfile, re.MULTILINE)
    assert server and major and major[1] == server[1]
    assert re.search(r'apt-get install .*"postgresql-client-\$\{POSTGRES_MAJOR\}"', dockerfile)
    # The install runs before the image drops to its unprivileged user.
    assert dockerfile.index("postgresql-client-") < dockerfile.index("\nUSER ")


# --- .env.example -------------------------------------------------------------------------


def test_settings_read_the_variables_we_expect_to_find():
    # Guards the pattern below: if it stopped matching, the next test would prove nothing.
    assert variables_read_by_settings() >= {
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "PRIVACYDESK_VAR_DIR",
    }


def test_env_example_documents_exactly_the_variables_settings_read():
    documented = set(env_example())
    read = variables_read_by_settings()

    assert read - documented == set(), "read by settings.py, missing from .env.example"
    assert documented - read == set(), "in .env.example, never read by settings.py"


# --- Production settings ----------------------------------------------------------------


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(60)[:60],
        "ALLOWED_HOSTS": "privacydesk.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PRIVACYDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    assert "WARNING" not in output.upper(), output
    assert "no issues" in output


# --- Error pages with DEBUG off -----------------------------------------------------------


def boom(request):
    raise RuntimeError("a bug in a view")


@api_view(["GET"])
@permission_classes([AllowAny])
def api_boom(request):
    raise RuntimeError("a bug in an API view")


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom/", api_boom),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


@pytest.fixture
def production_client(settings, db):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.urls(__name__)
def test_a_crash_in_a_page_shows_the_friendly_error_page(production_client):
    response = production_client.get("/boom/")
    body = response.content.decode()

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Something went wrong" in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body
    assert "a bug in a view" not in body


@pytest.mark.urls(__name__)
def test_a_crash_in_the_api_answers_with_the_json_error_shape(production_client):
    response = production_client.get("/api/v1/boom/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "server_error"
    assert error["message"]
    assert "a bug in an API view" not in response.content.decode()
