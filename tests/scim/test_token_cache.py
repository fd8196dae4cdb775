"""SCIM tokens are remembered once verified, as API keys are (accounts.api_key_cache): a
directory's requests need no token lookup, and a token revoked in the console, or an
organisation closed, is refused at the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis.connection import AbstractConnection

from accounts.services.organisations import organisation_close, organisation_reopen
from scim.services import scim_token_revoke
from tests.factories import ClientAdminFactory, DpoFactory
from tests.scim.conftest import ScimClient, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_and_plain(organisation):
    return token_for(organisation)


def test_a_remembered_token_is_not_looked_up_again(token_and_plain):
    _, plain = token_and_plain
    caller = ScimClient(plain)
    assert caller.get("/Users").status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert caller.get("/Users").status_code == 200

    assert not [query for query in queries if "scim_scimtoken" in query["sql"]]


def test_a_remembered_token_costs_two_redis_round_trips(token_and_plain, redis_url, monkeypatch):
    _, plain = token_and_plain
    caller = ScimClient(plain)
    caller.get("/Users")
    sent = []
    send = AbstractConnection.send_packed_command

    def counted(self, *args, **kwargs):
        sent.append(args)
        return send(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)

    assert caller.get("/Users").status_code == 200

    # 1 the client IP's failures and the remembered token (one MGET), 2 the token's rate
    assert len(sent) == 2


def test_a_token_revoked_in_the_console_is_refused_at_its_next_request(
    organisation, token_and_plain, django_capture_on_commit_callbacks
):
    token, plain = token_and_plain
    caller = ScimClient(plain)
    assert caller.get("/Users").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        scim_token_revoke(token=token, by=ClientAdminFactory(organisation=organisation))

    assert caller.get("/Users").status_code == 401


def test_closing_the_organisation_refuses_its_token_at_once_and_reopening_restores_it(
    organisation, token_and_plain, django_capture_on_commit_callbacks
):
    _, plain = token_and_plain
    caller = ScimClient(plain)
    assert caller.get("/Users").status_code == 200
    dpo = DpoFactory()

    with django_capture_on_commit_callbacks(execute=True):
        organisation_close(
            organisation=organisation,
            reason="Contract ended",
            effective_on=timezone.localdate(),
            by=dpo,
        )
    assert caller.get("/Users").status_code == 401

    with django_capture_on_commit_callbacks(execute=True):
        organisation_reopen(organisation=organisation, by=dpo)
    assert caller.get("/Users").status_code == 200
