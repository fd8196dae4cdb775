"""The session store draws a new key without asking the table first: the INSERT is the check."""

import pytest

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
