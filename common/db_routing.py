"""Heavy reads on the PostgreSQL streaming replica; everything else on the primary.

With ``DATABASE_REPLICA_URL`` set (config/settings.py adds the ``replica`` alias), the reads a
function wrapped in ``@heavy_reads`` makes go to the replica when it is safe to:

- the replica answers, and its replay lag is within ``REPLICA_MAX_LAG_SECONDS`` (checked on
  the replica itself, at most once every ``REPLICA_CHECK_SECONDS`` per process);
- the session has not written in the last ``READ_YOUR_WRITES_SECONDS`` (read-your-writes: a
  request that wrote with POST, PUT, PATCH or DELETE marks its session;
  ``ReadYourWritesMiddleware``), nor has this request, if its method is one of those;
- no transaction is open on the primary (its reads must see its own writes), unless the
  caller asks for ``caught_up=True``: then the replica must first replay everything the
  primary had written when the function began, else the primary reads.

Otherwise, or when the replica fails during the function, the reads go to the primary: a
replica that fails marks itself down for ``REPLICA_RETRY_SECONDS`` and the function runs again
on the primary, so the caller never sees the replica's error. Heavy functions only read, so
running one again changes nothing. An error that broke the primary's open transaction is the
caller's to see, never retried. ``caught_up=True`` covers what the primary has committed: a
read that must see the caller's own uncommitted writes does not belong in a heavy function.

A streamed read (a CSV download iterated after the view returns) cannot be run again: bind its
queryset with ``.using(heavy_alias())`` instead.

Writes always go to the primary, including an instance read from the replica. With no
replica configured every method answers None and Django routes as it always has.
"""

import contextlib
import functools
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from psycopg.pq import TransactionStatus

REPLICA = "replica"
SESSION_KEY = "_read_primary_until"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CATCH_UP_POLL_SECONDS = 0.01

logger = logging.getLogger(__name__)

# The alias reads go to inside a heavy function (None outside one).
_heavy_alias: ContextVar[str | None] = ContextVar("heavy_alias", default=None)
# Read-your-writes, per request: until when this session reads the primary, and whether this
# request has routed a write.
_primary_until: ContextVar[float] = ContextVar("primary_until", default=0.0)
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)
_unsafe_request: ContextVar[bool] = ContextVar("unsafe_request", default=False)


class _ReplicaState:
    """What this process last learnt of the replica: its lag, or that it is down."""

    checked_at = float("-inf")
    lag: float | None = None  # seconds behind the primary; None: down or unknown
    down_until = float("-inf")


_state = _ReplicaState()

# On a standby: 0 while the WAL receiver runs and has replayed all it received, else the age of
# the last transaction replayed. A server not in recovery (a test mirror) is never behind.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
         AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
END
"""
CAUGHT_UP_SQL = "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn"


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_state_forget() -> None:
    """Forget what this process knows of the replica (tests; a changed configuration)."""
    _state.checked_at, _state.lag, _state.down_until = float("-inf"), None, float("-inf")


def _mark_down(reason: str) -> None:
    logger.warning("Read replica unavailable (%s): heavy reads go to the primary.", reason)
    _state.lag, _state.checked_at = None, time.monotonic()
    _state.down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    with contextlib.suppress(Exception):  # a dead connection may refuse even to close
        connections[REPLICA].close()


def replica_lag() -> float | None:
    """The replica's replay lag in seconds, or None while it is down; checked on the replica
    at most once every REPLICA_CHECK_SECONDS."""
    now = time.monotonic()
    if now < _state.down_until:
        return None
    if now - _state.checked_at < settings.REPLICA_CHECK_SECONDS:
        return _state.lag
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except (OperationalError, InterfaceError) as error:
        _mark_down(type(error).__name__)
        return None
    _state.lag, _state.checked_at = lag, now
    return lag


def _replica_caught_up() -> bool:
    """Has the replica replayed everything the primary had written by now? Waits for it up to
    REPLICA_CATCH_UP_SECONDS."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + settings.REPLICA_CATCH_UP_SECONDS
    try:
        with connections[REPLICA].cursor() as cursor:
            while True:
                cursor.execute(CAUGHT_UP_SQL, [target])
                if cursor.fetchone()[0]:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(CATCH_UP_POLL_SECONDS)
    except (OperationalError, InterfaceError) as error:
        _mark_down(type(error).__name__)
        return False


def _primary_transaction_failed() -> bool:
    """Did an error abort the primary's open transaction? (Then it came from the primary, and
    running the reads again there would only hide it behind "transaction is aborted".)"""
    primary = connections[DEFAULT_DB_ALIAS].connection
    return primary is not None and primary.info.transaction_status == TransactionStatus.INERROR


def heavy_alias(*, caught_up: bool = False) -> str:
    """The database a heavy read should use now: ``"replica"`` or ``"default"``."""
    current = _heavy_alias.get()
    if current is not None:
        return current  # inside a heavy function already: the same choice
    if not replica_configured() or time.time() < _primary_until.get():
        return DEFAULT_DB_ALIAS
    if _unsafe_request.get() and _wrote.get():
        return DEFAULT_DB_ALIAS  # this request wrote: it reads its own writes
    if connections[DEFAULT_DB_ALIAS].in_atomic_block and not caught_up:
        return DEFAULT_DB_ALIAS
    lag = replica_lag()
    if lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS:
        return DEFAULT_DB_ALIAS
    if caught_up and not _replica_caught_up():
        return DEFAULT_DB_ALIAS
    return REPLICA


def heavy_reads(function=None, *, caught_up: bool = False):
    """Mark a function whose reads are heavy: ``@heavy_reads`` or
    ``@heavy_reads(caught_up=True)`` (see the module's docstring). It must only read."""

    def decorator(function):
        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            if _heavy_alias.get() is not None:
                return function(*args, **kwargs)
            alias = heavy_alias(caught_up=caught_up)
            token = _heavy_alias.set(alias)
            try:
                return function(*args, **kwargs)
            except (OperationalError, InterfaceError) as error:
                if alias != REPLICA or _primary_transaction_failed():
                    raise
                # A replica that stopped, or a query it cancelled (a conflict with recovery):
                # the same reads, once more, on the primary.
                if not connections[REPLICA].is_usable():
                    _mark_down(type(error).__name__)
            finally:
                _heavy_alias.reset(token)
            token = _heavy_alias.set(DEFAULT_DB_ALIAS)
            try:
                return function(*args, **kwargs)
            finally:
                _heavy_alias.reset(token)

        return wrapped

    return decorator(function) if function is not None else decorator


class PrimaryReplicaRouter:
    """Reads inside a heavy function go where ``heavy_reads`` chose; all else to the primary.

    Listed after retention.routers.ErasureLedgerRouter, which keeps the ledger's model in its
    own database before this router is asked."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        return _heavy_alias.get() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        if not replica_configured():
            return None
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        primary_or_replica = {DEFAULT_DB_ALIAS, REPLICA}
        if {obj1._state.db, obj2._state.db} <= primary_or_replica:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A standby replays the primary's schema; nothing migrates it.
        return False if db == REPLICA else None


class ReadYourWritesMiddleware:
    """A signed-in session that wrote reads the primary for READ_YOUR_WRITES_SECONDS.

    Installed right after SessionMiddleware when a replica is configured. Only requests with
    an unsafe method mark the session: a page view's own bookkeeping (its audit entry, a
    disclosure record, usage logging) is no write its reader expects to see back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        pinned = request.session.get(SESSION_KEY, 0.0) if has_session else 0.0
        pin_token = _primary_until.set(pinned if isinstance(pinned, float) else 0.0)
        wrote_token = _wrote.set(False)
        unsafe_token = _unsafe_request.set(request.method in UNSAFE_METHODS)
        try:
            response = self.get_response(request)
            # The session's own signed-in user: an API key's request has none (DRF sets
            # request.user to the key's principal, which must not start a session).
            if (
                _wrote.get()
                and request.method in UNSAFE_METHODS
                and request.session.get(AUTH_SESSION_KEY)
            ):
                request.session[SESSION_KEY] = time.time() + settings.READ_YOUR_WRITES_SECONDS
        finally:
            _primary_until.reset(pin_token)
            _wrote.reset(wrote_token)
            _unsafe_request.reset(unsafe_token)
        return response
