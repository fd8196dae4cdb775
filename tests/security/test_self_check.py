"""The security self-check: each check passes and fails on what is in force; the run is kept,
audited, shown in the back office and on the dashboard; the command exits 1 on a failure."""

import secrets
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts.models import User
from audit.models import AuditEntry
from security.models import BackupRecord, SecurityCheckRun
from security.services import self_check
from tests.audit.test_audit import _tamper
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory
from tests.visible import internals_in, visible_text

pytestmark = pytest.mark.django_db

PAGE = "/backoffice/security/"
RUN = "/backoffice/security/run/"


@pytest.fixture
def production_like(settings):
    """What a deployment behind HTTPS runs with (HTTPS=1 in config/settings.py)."""
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.ALLOWED_HOSTS = ["privacydesk.example"]
    return settings


# --- Lockout ---------------------------------------------------------------------------------


def test_lockout_passes_with_the_settings_in_force_and_says_them():
    result = self_check.check_lockout()
    assert result.passed
    assert "after 5 failed logins, for 30 minutes" in result.detail


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("AXES_ENABLED", False, "switched off"),
        ("AXES_FAILURE_LIMIT", 50, "after 50 failed logins; it should be 10 or fewer"),
        ("AXES_COOLOFF_TIME", timedelta(minutes=1), "lasts 1 minute; it should last at least"),
        ("AXES_COOLOFF_TIME", None, "never ends by itself"),
        ("AXES_LOCKOUT_PARAMETERS", ["ip_address"], "per IP address only"),
    ],
)
def test_lockout_fails_when_a_setting_weakens_it(settings, setting, value, words):
    setattr(settings, setting, value)
    result = self_check.check_lockout()
    assert not result.passed
    assert words in result.detail


def test_lockout_fails_when_axes_does_not_check_passwords_first(settings):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert "not the first check" in self_check.check_lockout().detail


# --- Two-step login --------------------------------------------------------------------------


def test_mfa_passes_when_every_active_privileged_account_has_an_authenticator():
    for user in (ClientAdminFactory(), DpoFactory(), SupportFactory()):
        TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    UserFactory()  # a member without one does not count
    ClientAdminFactory(status=User.Status.SUSPENDED)  # nor an account that cannot log in
    assert self_check.check_mfa_for_privileged().passed


def test_mfa_fails_counting_privileged_accounts_without_one_by_role_never_by_name():
    ClientAdminFactory(full_name="Carol Admin")
    ClientAdminFactory()
    support = SupportFactory()
    TOTPDevice.objects.create(user=support, name="App", confirmed=False)  # never confirmed

    result = self_check.check_mfa_for_privileged()

    assert not result.passed
    assert "2 client admins, 1 support" in result.detail
    assert "Carol" not in result.detail


def test_mfa_fails_when_its_middleware_is_not_installed(settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "security.middleware.MfaRequiredMiddleware"
    ]
    result = self_check.check_mfa_for_privileged()
    assert not result.passed
    assert "not enforced on every page" in result.detail


# --- Audit trail -----------------------------------------------------------------------------


def test_the_audit_chain_passes_intact_and_fails_naming_the_changed_entry():
    entries = [audit.record(None, "user.view", details={"n": n}) for n in range(3)]
    intact = self_check.check_audit_chain()
    assert intact.passed
    assert "3 entries verified intact" in intact.detail

    _tamper("UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"n": 9}', entries[1].id])
    broken = self_check.check_audit_chain()
    assert not broken.passed
    assert f"broken at entry {entries[1].id}" in broken.detail


# --- Deployment checks and HTTPS -------------------------------------------------------------


def test_deployment_checks_fail_in_words_on_a_plain_http_setup(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    result = self_check.check_deployment()
    assert not result.passed
    assert "Plain HTTP requests are not redirected to HTTPS." in result.detail
    assert "security.W" not in result.detail and "SECURE_" not in result.detail


def test_deployment_checks_pass_on_a_production_like_setup(production_like):
    result = self_check.check_deployment()
    assert result.passed, result.detail


def test_https_passes_on_a_production_like_setup(production_like):
    assert self_check.check_tls().passed


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("SECURE_SSL_REDIRECT", False, "Plain HTTP is not redirected"),
        ("SECURE_HSTS_SECONDS", 3600, "at least a year"),
        ("SESSION_COOKIE_SECURE", False, "login cookie may travel over plain HTTP"),
        ("CSRF_COOKIE_SECURE", False, "forgery-protection cookie"),
    ],
)
def test_https_fails_when_a_setting_is_off(production_like, setting, value, words):
    setattr(production_like, setting, value)
    result = self_check.check_tls()
    assert not result.passed
    assert words in result.detail


# --- Backups ---------------------------------------------------------------------------------


def test_no_backup_recorded_is_a_failure():
    result = self_check.check_backups()
    assert not result.passed
    assert result.detail.startswith("No backup recorded")


def test_a_backup_older_than_the_limit_fails_and_a_recent_one_passes(settings):
    settings.SECURITY_BACKUP_MAX_AGE_HOURS = 26
    BackupRecord.objects.create(completed_at=timezone.now() - timedelta(hours=30))
    old = self_check.check_backups()
    assert not old.passed
    assert "more than 26 hours ago" in old.detail

    call_command("record_backup", description="Nightly database dump", stdout=None)
    recent = self_check.check_backups()
    assert recent.passed
    assert BackupRecord.objects.first().description == "Nightly database dump"


# --- The run, the command, the page and the dashboard ----------------------------------------


def test_the_command_shows_progress_and_exits_1_naming_the_failures(production_like, capsys):
    with pytest.raises(CommandError, match=r"^1 of 6 checks failed: Backups\.$") as raised:
        call_command("security_self_check")
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert "[5/6] Backups: FAILED" in out
    assert "No backup recorded" in out
    run = SecurityCheckRun.objects.get()
    assert run.trigger == SecurityCheckRun.Trigger.COMMAND
    assert [r["name"] for r in run.failures] == ["Backups"]


@pytest.fixture
def passing(production_like):
    BackupRecord.objects.create()
    return production_like


def test_the_command_passes_cleanly_when_every_check_does(passing, capsys):
    call_command("security_self_check")
    out = capsys.readouterr().out
    assert "[1/6] Lockout after failed logins: passed" in out
    assert "[6/6] HTTPS: passed" in out
    assert "All 6 security checks passed." in out
    assert SecurityCheckRun.objects.get().passed


def test_the_daily_task_keeps_a_run_and_audits_it_as_the_system(passing):
    from security.tasks import run_security_self_check

    assert run_security_self_check.delay().get() == "passed"
    entry = AuditEntry.objects.get(action="security.self_check")
    assert entry.actor is None
    assert entry.details["trigger"] == "Daily schedule"


def test_the_dpo_runs_the_checks_from_the_back_office_and_it_is_audited(verified_client):
    dpo = DpoFactory()
    client = verified_client(dpo)

    response = client.post(RUN, follow=True)

    assert response.status_code == 200
    run = SecurityCheckRun.objects.get()
    assert run.trigger == SecurityCheckRun.Trigger.PERSON
    entry = AuditEntry.objects.get(action="security.self_check")
    assert entry.actor == dpo
    assert entry.target_id == str(run.pk)
    page = visible_text(response)
    assert "No backup recorded" in page
    assert "Run the checks" in page


def test_support_reads_the_results_but_may_not_run_the_checks(verified_client):
    client = verified_client(SupportFactory())
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Run the checks" not in visible_text(page)
    assert client.post(RUN).status_code == 403
    assert not SecurityCheckRun.objects.exists()


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory])
def test_members_and_client_admins_may_not_open_the_self_check(verified_client, factory):
    client = verified_client(factory())
    assert client.get(PAGE).status_code == 403
    assert client.post(RUN).status_code == 403


def test_the_page_shows_each_check_in_words_and_no_internals(verified_client):
    self_check.security_self_check_run(trigger=SecurityCheckRun.Trigger.SCHEDULE)
    page = verified_client(DpoFactory()).get(PAGE)
    text = visible_text(page, prose_only=True)
    for name in ("Lockout after failed logins", "Audit trail", "Backups", "HTTPS"):
        assert name in text
    assert "Daily schedule" in text
    assert internals_in(text) == []


def test_the_dashboard_shows_the_newest_result_to_dpo_and_support(verified_client):
    dashboard = verified_client(DpoFactory()).get("/backoffice/")
    assert "The security self-check has not run yet" in visible_text(dashboard)

    self_check.security_self_check_run(trigger=SecurityCheckRun.Trigger.SCHEDULE)
    for staff in (DpoFactory(), SupportFactory()):
        text = visible_text(verified_client(staff).get("/backoffice/"))
        assert "Security self-check" in text
        assert "failed" in text and "Backups" in text


def test_the_dashboard_says_when_every_check_passed(passing, verified_client):
    client = verified_client(DpoFactory())  # gives the DPO a confirmed authenticator
    assert self_check.security_self_check_run(trigger=SecurityCheckRun.Trigger.SCHEDULE).passed
    # The test client speaks plain HTTP to "testserver".
    passing.SECURE_SSL_REDIRECT = False
    passing.ALLOWED_HOSTS = ["testserver"]
    assert "Every check passed" in visible_text(client.get("/backoffice/"))


def test_a_run_names_itself_in_words_in_the_audit_trail():
    run = self_check.security_self_check_run(trigger=SecurityCheckRun.Trigger.SCHEDULE)
    entry = AuditEntry.objects.get(action="security.self_check")
    assert entry.target_label == str(run)
    assert internals_in(entry.target_label) == []
