"""The session store: one statement a save, the INSERT its own check of a taken key."""

import pytest
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common import session_store
from common.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_a_new_session_that_draws_a_taken_key_gets_another_and_the_other_session_is_untouched(
    monkeypatch,
):
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.create()
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(session_store, "get_random_string", lambda *args: next(keys))

    fresh = SessionStore()
    fresh.create()

    assert fresh.session_key == "k" * 32
    assert SessionStore(session_key=taken.session_key).load() == {"owner": "someone else"}


def test_a_new_session_is_stored_in_one_statement_and_a_change_in_one_more():
    store = SessionStore()
    store["step"] = "one"

    with CaptureQueriesContext(connection) as created:
        store.create()
    store["step"] = "two"
    with CaptureQueriesContext(connection) as changed:
        store.save()

    assert [query["sql"].split()[0] for query in created] == ["INSERT"]
    assert [query["sql"].split()[0] for query in changed] == ["UPDATE"]
    assert SessionStore(session_key=store.session_key).load() == {"step": "two"}


def test_saving_a_session_deleted_meanwhile_says_so_and_stores_nothing():
    store = SessionStore()
    store.create()
    Session.objects.filter(pk=store.session_key).delete()
    store["step"] = "after"

    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(pk=store.session_key).exists()


def test_a_session_saved_under_a_taken_key_refuses_and_leaves_the_other_session_as_it_was():
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.create()
    taken.save()
    intruder = SessionStore(session_key=taken.session_key)
    intruder["owner"] = "me"

    with pytest.raises(CreateError):
        intruder.save(must_create=True)
    assert SessionStore(session_key=taken.session_key).load() == {"owner": "someone else"}


def test_saving_again_what_was_just_written_sends_nothing_but_a_change_in_place_is_written():
    store = SessionStore()
    store["visits"] = [1]
    store.create()

    with CaptureQueriesContext(connection) as unchanged:
        store.save()
    store["visits"].append(2)
    store.modified = True
    store.save()

    assert unchanged.captured_queries == []
    assert SessionStore(session_key=store.session_key).load() == {"visits": [1, 2]}
