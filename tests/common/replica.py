"""A replica for tests: Django's test mirror of the default database, added for a module.

The suite runs without a replica (as a deployment without DATABASE_REPLICA_URL does). Tests of
the routing use the ``fresh_replica`` fixture and mark themselves
``django_db(transaction=True, databases=["default", "ledger", "replica"])``: the mirror is a
connection of its own, which sees only what is committed.
"""

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import override_settings

from common import db_routing
from common.db_routing import REPLICA
from tests.conftest import unavailable


@pytest.fixture(scope="module")
def replica_mirror(django_db_setup, django_db_blocker):
    """The ``replica`` alias, and the middleware settings.py installs with it."""
    default = connections["default"]
    if default.vendor != "postgresql":
        unavailable("PostgreSQL (set DATABASE_URL): a replica needs it")
    test = {**default.settings_dict["TEST"], "MIRROR": "default"}
    mirror = {**default.settings_dict, "TEST": test}
    connections.settings[REPLICA] = mirror
    settings.DATABASES[REPLICA] = mirror
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "common.db_routing.ReadYourWritesMiddleware",
    )
    with override_settings(MIDDLEWARE=middleware):
        try:
            yield mirror
        finally:
            with django_db_blocker.unblock():
                connections[REPLICA].close()
            del connections[REPLICA]
            connections.settings.pop(REPLICA, None)
            settings.DATABASES.pop(REPLICA, None)


@pytest.fixture
def fresh_replica(replica_mirror):
    """The replica, with nothing known of it yet in this process."""
    db_routing.replica_state_forget()
    yield replica_mirror
    db_routing.replica_state_forget()
