"""An entry's details for people: each key in words beside its value, never a Python dict."""

import re
from collections.abc import Mapping

CODE = re.compile(r"[a-z]+(?:_[a-z0-9]+)+")


def _value_words(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Mapping):
        return "; ".join(f"{_key_words(k)}: {_value_words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value_words(item) for item in value)
    if isinstance(value, str) and CODE.fullmatch(value):
        return _key_words(value)  # a stored code ("in_progress", "web_form") read as words
    return str(value)


def _key_words(key: str) -> str:
    return str(key).replace("_", " ").capitalize()


def detail_pairs(details: Mapping | None) -> list[tuple[str, str]]:
    """``{"broken_entry_id": None, "checked": 84}`` → ``[("Broken entry id", "—"), ("Checked",
    "84")]``."""
    return [(_key_words(key), _value_words(value)) for key, value in (details or {}).items()]
