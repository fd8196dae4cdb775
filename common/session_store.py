"""Django's database session store (settings.SESSION_ENGINE), each save one statement.

Django's store spends round trips that guard nothing a single statement does not guard itself:
- it asks the table whether a fresh random key is taken before it INSERTs the session under
  it. The INSERT refuses a taken key itself (it is the primary key), and ``create()`` then
  draws another;
- it wraps each save in a transaction of its own: BEGIN and COMMIT around a request's final
  UPDATE, a SAVEPOINT and its RELEASE around a login's INSERT (so that a taken key could be
  rolled back to). Here a new session is one ``INSERT … ON CONFLICT DO NOTHING`` (no row: the
  key is taken) and a change one UPDATE (no row: the session was deleted meanwhile), each
  atomic on its own and harmless inside the caller's transaction.

And a save that would write what this store already wrote in this request writes nothing, so a
view can store its session inside its own transaction (a login does) and the middleware's save
after it costs no second commit.

A login used to spend six round trips and two commits on its session; it spends two and none
of its own.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils.crypto import get_random_string

# SQL names for the table and its columns, not values.
_INSERT = "INSERT INTO {table} ({columns}) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"


class SessionStore(DatabaseSessionStore):
    # The data this store last wrote, serialized: what the database holds, unless it has been
    # deleted or changed by someone else meanwhile.
    _written: bytes | None = None

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        serialized = self.serializer().dumps(data)
        if not must_create and serialized == self._written:
            return None
        record = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=record)
        if must_create:
            if not self._insert(record, connections[using]):
                raise CreateError
        else:
            changed = (
                self.model._default_manager.using(using)
                .filter(pk=record.pk)
                .update(session_data=record.session_data, expire_date=record.expire_date)
            )
            if not changed:
                raise UpdateError
        self._written = serialized
        return None

    def _insert(self, record, connection) -> bool:
        """INSERT the session unless its key is taken; whether it was."""
        meta = self.model._meta
        fields = [meta.pk, meta.get_field("session_data"), meta.get_field("expire_date")]
        sql = _INSERT.format(
            table=connection.ops.quote_name(meta.db_table),
            columns=", ".join(connection.ops.quote_name(field.column) for field in fields),
        )
        values = [
            field.get_db_prep_save(getattr(record, field.attname), connection) for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.rowcount == 1
