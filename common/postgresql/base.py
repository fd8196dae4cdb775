"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django checks a kept connection before a request's first query by
sending ``SELECT 1``: one round trip on every request, a third of the statements a page of the
users API sends (issue 19). A connection the server has ended (a restart, a failover, an
administrator's terminate) has its last message or its end of file waiting on the socket; an
open, idle one has nothing to read. So the socket is looked at first, without waiting, and
``SELECT 1`` is sent only when something is waiting there, to let a real answer decide.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
        if not poller.poll(0):
            return True
        return super().is_usable()
