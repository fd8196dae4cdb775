"""API-key authentication: valid keys, refused keys, the failure accounting per client IP,
and what a key may do: act on members, never on client admins.

django-axes never sees API keys, so failed key authentications are counted here: at
API_KEY_FAILURE_LIMIT from one IP, security.services.rules.api_key_failure_burst runs once and the
IP's keys answer 429 until the window ends.
"""

import json
import time
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

import security.services.rules
from accounts.authentication import ApiKeyPrincipal
from accounts.models import ApiScope, EmailChange, Organisation, OrganisationAPIKey, Role, User
from accounts.services.api_keys import api_key_create
from accounts.services.users import KEY_MEMBERS_ONLY, user_suspend
from audit.models import AuditEntry
from security.models import Investigation
from tests.factories import ClientAdminFactory, OrganisationFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


def call(client, plain, ip="203.0.113.7"):
    return client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}", REMOTE_ADDR=ip)


@pytest.fixture
def key_and_plain():
    return api_key_for(OrganisationFactory(slug="acme"), scopes=[ApiScope.USERS])


@pytest.fixture
def burst_calls(monkeypatch):
    """Every call of api_key_failure_burst, which still runs (it opens an investigation)."""
    calls = []
    real = security.services.rules.api_key_failure_burst

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(security.services.rules, "api_key_failure_burst", spy)
    return calls


def test_a_valid_key_authenticates_as_its_organisation_not_as_a_user(client, key_and_plain):
    key, plain = key_and_plain
    UserFactory(organisation=key.organisation)

    response = call(client, plain)

    assert response.status_code == 200
    principal = response.wsgi_request.user
    assert isinstance(principal, ApiKeyPrincipal)
    assert principal.is_api_key and principal.is_authenticated
    assert principal.pk is None
    assert principal.organisation == key.organisation
    assert principal.get_username() == f"api-key:{key.prefix} (acme)"


def test_last_used_is_written_at_most_once_a_minute(
    client, key_and_plain, django_assert_num_queries, settings
):
    settings.USAGE_LOGGING_ENABLED = False  # its insert is pinned in its own tests
    key, plain = key_and_plain
    UserFactory(organisation=key.organisation)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        call(client, plain)
        key.refresh_from_db()
        assert key.last_used_at == start

        # the page with its count: the key is remembered (accounts.api_key_cache), and no
        # UPDATE within the minute
        with django_assert_num_queries(1):
            call(client, plain)

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        call(client, plain)
    key.refresh_from_db()
    assert key.last_used_at == start + timedelta(seconds=61)


def test_a_bad_key_is_a_401_with_a_challenge(client):
    response = call(client, "abcdefgh.not-the-right-secret")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_right_prefix_with_a_wrong_secret_is_a_401(client, key_and_plain):
    key, _ = key_and_plain
    assert call(client, f"{key.prefix}.wrong-secret").status_code == 401


@pytest.mark.parametrize(
    "header", ["Api-Key", "Api-Key one two", "Api-Key " + "x" * 500, "Api-Key clé.ünïcode"]
)
def test_a_malformed_header_is_a_401_not_a_500(client, header):
    response = client.get(USERS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_revoked_key_is_a_401(client, key_and_plain):
    key, plain = key_and_plain
    key.revoked = True
    key.save()
    assert call(client, plain).status_code == 401


def test_an_expired_key_is_a_401(client, key_and_plain):
    key, plain = key_and_plain
    key.expiry_date = timezone.now() - timedelta(minutes=1)
    key.save()
    assert call(client, plain).status_code == 401


def test_a_key_of_a_suspended_organisation_is_a_401(client, key_and_plain):
    key, plain = key_and_plain
    Organisation.objects.filter(pk=key.organisation_id).update(status=Organisation.Status.SUSPENDED)
    assert call(client, plain).status_code == 401


def test_repeated_bad_keys_from_one_ip_are_throttled_and_reported_once(
    client, key_and_plain, settings, burst_calls
):
    settings.API_KEY_FAILURE_LIMIT = 5
    _, good = key_and_plain

    statuses = [call(client, f"bad{n}.secret", ip="198.51.100.9").status_code for n in range(5)]
    assert statuses == [401] * 5
    assert burst_calls == [{"ip_address": "198.51.100.9", "failures": 5}]

    # Over the limit, the key is not even looked at: a good key from that IP is refused too.
    assert call(client, "bad.again", ip="198.51.100.9").status_code == 429
    refused = call(client, good, ip="198.51.100.9")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert len(burst_calls) == 1

    # The effect: one investigation of the burst, naming the IP.
    investigation = Investigation.objects.get(rule="api_key_failure_burst")
    assert investigation.ip_address == "198.51.100.9"

    # Another IP is not affected.
    assert call(client, good, ip="198.51.100.10").status_code == 200


def test_the_failure_window_ends_and_the_count_starts_again(client, key_and_plain, settings):
    settings.API_KEY_FAILURE_LIMIT = 2
    settings.API_KEY_FAILURE_WINDOW_SECONDS = 1
    _, good = key_and_plain
    for n in range(2):
        call(client, f"bad{n}.secret")
    assert call(client, good).status_code == 429

    time.sleep(1.2)  # the window is a cache expiry, in real time in Redis too

    assert call(client, good).status_code == 200


def test_requests_without_a_key_are_not_throttled_by_key_failures(client, settings):
    settings.API_KEY_FAILURE_LIMIT = 1
    call(client, "bad.secret")
    # No Api-Key header: the session path answers as usual (anonymous here).
    response = client.get(USERS, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_key_never_reaches_the_logs(client, key_and_plain, caplog, settings):
    settings.API_KEY_FAILURE_LIMIT = 2
    _, plain = key_and_plain
    secret = "bad.this-secret-must-not-be-logged"
    with caplog.at_level("DEBUG"):
        call(client, plain)
        call(client, secret)
        call(client, secret)
        call(client, secret)
    logged = caplog.text
    assert plain not in logged
    assert "this-secret-must-not-be-logged" not in logged


def test_each_key_has_its_own_request_rate(client, key_and_plain, monkeypatch):
    from accounts.authentication import UserOrKeyRateThrottle

    monkeypatch.setattr(UserOrKeyRateThrottle, "rate", "2/minute", raising=False)
    key, plain = key_and_plain
    _, other = api_key_for(key.organisation, scopes=[ApiScope.USERS])

    assert [call(client, plain).status_code for _ in range(3)] == [200, 200, 429]
    assert call(client, other).status_code == 200


def test_behind_a_proxy_key_failures_are_counted_per_client_not_per_proxy(
    client, key_and_plain, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.API_KEY_FAILURE_LIMIT = 3
    _, good = key_and_plain

    def via_proxy(plain, forwarded_for):
        return client.get(
            USERS,
            HTTP_AUTHORIZATION=f"Api-Key {plain}",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    # The attacker at 198.51.100.9 forges a different left-most entry each time.
    for n in range(3):
        via_proxy(f"bad{n}.secret", f"192.0.2.{n}, 198.51.100.9")

    assert via_proxy(good, "192.0.2.77, 198.51.100.9").status_code == 429
    assert via_proxy(good, "198.51.100.10").status_code == 200
    assert Investigation.objects.get(rule="api_key_failure_burst").ip_address == "198.51.100.9"


# --- A key acts on members only -----------------------------------------------------


def send(client, method, path, body, plain):
    return getattr(client, method)(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {plain}",
    )


@pytest.fixture
def admin_and_key():
    """A client admin of acme, and a key with every scope that this admin created."""
    organisation = OrganisationFactory(slug="acme")
    admin = ClientAdminFactory(organisation=organisation, full_name="Alice Admin")
    _, plain = api_key_for(organisation, scopes=ApiScope.values, created_by=admin)
    return admin, plain


KEY_ON_ADMIN_STEPS = [
    ("post", "suspend/", {"reason": "Taken over"}),
    ("post", "terminate/", {}),
    ("patch", "", {"role": "member"}),
    ("patch", "", {"email": "attacker@evil.test"}),
    ("patch", "", {"full_name": "Mallory"}),
]


@pytest.mark.parametrize(
    "method, step, body",
    KEY_ON_ADMIN_STEPS,
    ids=["suspend", "terminate", "demote", "email", "name"],
)
def test_a_key_cannot_change_a_client_admin_not_even_its_creator(
    client, admin_and_key, method, step, body
):
    admin, plain = admin_and_key
    other_admin = ClientAdminFactory(organisation=admin.organisation)

    for target in (admin, other_admin):
        response = send(client, method, f"{USERS}{target.pk}/{step}", body, plain)

        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "permission_denied",
            "message": KEY_MEMBERS_ONLY,
            "fields": {},
        }
        target.refresh_from_db()
        assert (target.status, target.role, target.full_name) == (
            User.Status.ACTIVE,
            Role.CLIENT_ADMIN,
            target.full_name,
        )
    assert User.objects.filter(email="attacker@evil.test").count() == 0
    assert not EmailChange.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="user.").exists()


def test_a_key_cannot_reactivate_a_suspended_client_admin(client, admin_and_key):
    admin, plain = admin_and_key
    suspended = ClientAdminFactory(organisation=admin.organisation)
    user_suspend(user=suspended, reason="On leave", by=admin)

    response = send(client, "post", f"{USERS}{suspended.pk}/reactivate/", {}, plain)

    assert response.status_code == 403
    suspended.refresh_from_db()
    assert suspended.status == User.Status.SUSPENDED


def test_a_key_cannot_promote_a_member_and_the_name_change_with_it_is_undone(client, admin_and_key):
    admin, plain = admin_and_key
    member = UserFactory(organisation=admin.organisation, full_name="Mel Member")

    response = send(
        client,
        "patch",
        f"{USERS}{member.pk}/",
        {"full_name": "Mel Promoted", "role": "client_admin"},
        plain,
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == KEY_MEMBERS_ONLY
    member.refresh_from_db()
    assert (member.role, member.full_name) == (Role.MEMBER, "Mel Member")


def test_a_key_cannot_invite_a_client_admin(client, admin_and_key):
    _, plain = admin_and_key

    response = send(
        client,
        "post",
        USERS,
        {"email": "new@acme.test", "full_name": "New", "role": "client_admin"},
        plain,
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == KEY_MEMBERS_ONLY
    assert not User.objects.filter(email="new@acme.test").exists()


def test_a_key_still_manages_members_through_their_whole_life_cycle(client, admin_and_key):
    _, plain = admin_and_key

    invited = send(
        client, "post", USERS, {"email": "mo@acme.test", "full_name": "Mo", "role": "member"}, plain
    )
    assert invited.status_code == 201
    member = User.objects.get(email="mo@acme.test")
    path = f"{USERS}{member.pk}/"

    assert send(client, "patch", path, {"full_name": "Mo Renamed"}, plain).status_code == 200
    assert send(client, "patch", path, {"role": "member"}, plain).status_code == 200
    assert send(client, "post", f"{path}suspend/", {"reason": "Leaver"}, plain).status_code == 200
    assert send(client, "post", f"{path}reactivate/", {}, plain).status_code == 200
    assert send(client, "post", f"{path}terminate/", {}, plain).status_code == 200
    member.refresh_from_db()
    assert (member.full_name, member.status) == ("Mo Renamed", User.Status.TERMINATED)
    assert call(client, plain).json()["count"] == 2  # with the client admins it may not change


def test_a_client_admin_in_the_browser_still_manages_another_client_admin(verified_client):
    admin = ClientAdminFactory()
    other_admin = ClientAdminFactory(organisation=admin.organisation)
    browser = verified_client(admin)

    response = browser.post(
        f"{USERS}{other_admin.pk}/suspend/",
        json.dumps({"reason": "Left the company"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    other_admin.refresh_from_db()
    assert other_admin.status == User.Status.SUSPENDED


def test_the_schema_documents_the_403_of_a_key_acting_on_a_client_admin(client):
    schema = client.get("/api/schema/?format=json").json()
    user_paths = {path: ops for path, ops in schema["paths"].items() if "/users/" in path}
    writes = [
        operation
        for ops in user_paths.values()
        for method, operation in ops.items()
        if method in ("post", "patch")
    ]

    assert len(writes) == 5  # invite, rectify, suspend, reactivate, terminate
    for operation in writes:
        assert "client admin" in operation["responses"]["403"]["description"]


# --- Who made each key ------------------------------------------------------------


def test_the_console_records_and_shows_who_created_each_key_and_when(verified_client):
    organisation = OrganisationFactory(slug="acme")
    alice = ClientAdminFactory(organisation=organisation, full_name="Alice Admin")
    bob = ClientAdminFactory(organisation=organisation, full_name="Bob Boss")
    made_at = datetime(2026, 3, 4, 9, 30, tzinfo=timezone.get_current_timezone())

    with time_machine.travel(made_at, tick=False):
        verified_client(alice).post("/console/api-keys/", {"name": "HR sync", "scopes": ["users"]})
    api_key_for(organisation, name="Legacy import")  # made before creators were recorded

    key = OrganisationAPIKey.objects.get(name="HR sync")
    assert key.created_by == alice
    html = verified_client(bob, client=Client()).get("/console/api-keys/").content.decode()
    rows = {
        row.split("</td>")[0].rsplit(">", 1)[-1]: row
        for row in html.split("<tr>")[2:]  # after the header row
    }
    assert "Alice Admin" in rows["HR sync"]
    assert alice.email in rows["HR sync"]
    assert "4 Mar 2026, 09:30" in rows["HR sync"]
    assert "Not recorded" in rows["Legacy import"]


def test_a_key_cannot_create_a_key(admin_and_key):
    admin, plain = admin_and_key
    key = OrganisationAPIKey.objects.get_from_key(plain)

    with pytest.raises(PermissionDenied):
        api_key_create(
            organisation=admin.organisation,
            name="Spawned",
            scopes=[ApiScope.USERS],
            by=ApiKeyPrincipal(key),
        )
    assert not OrganisationAPIKey.objects.filter(name="Spawned").exists()
