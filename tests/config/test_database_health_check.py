"""A kept database connection is checked before each request's first query without a round
trip (common.postgresql): a healthy one is used as it is, one the server ended is replaced, and
the request answers either way."""

import select
import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections

from accounts.models import ApiScope
from tests.factories import OrganisationFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db(transaction=True)

USERS = "/api/v1/users/"


@pytest.fixture
def key_header():
    organisation = OrganisationFactory()
    UserFactory(organisation=organisation)
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS])
    return {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}


@pytest.fixture
def statements_sent(monkeypatch):
    """Every statement sent to PostgreSQL, Django's health check among them."""
    sent = []
    execute = psycopg.Cursor.execute

    def recorded(self, query, *args, **kwargs):
        sent.append(query if isinstance(query, str) else repr(query))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recorded)
    return sent


def _backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def test_a_healthy_kept_connection_serves_the_next_request_with_no_check_sent(
    client, key_header, statements_sent
):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    assert client.get(USERS, **key_header).status_code == 200
    pid = _backend_pid()
    statements_sent.clear()

    close_old_connections()  # a server's request_started (the test client leaves it out)
    assert client.get(USERS, **key_header).status_code == 200

    assert _backend_pid() == pid
    assert len(statements_sent) == 1
    assert "SELECT 1" not in statements_sent


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(client, key_header):
    assert client.get(USERS, **key_header).status_code == 200
    pid = _backend_pid()
    administrator = connections.create_connection("default")
    try:
        with administrator.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        administrator.close()
    _wait_for_the_goodbye()

    close_old_connections()  # a server's request_started (the test client leaves it out)
    response = client.get(USERS, **key_header)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert _backend_pid() != pid


def _wait_for_the_goodbye() -> None:
    """The server's message that it ended the connection reaches its socket."""
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not poller.poll(50):
        assert time.monotonic() < deadline, "the ended connection never heard from the server"
