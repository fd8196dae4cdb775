"""An entry's details for people: each key in words beside its value, never a Python dict;
and a removed personal value as the removal's reason."""

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


def detail_pairs(
    details: Mapping | None, removed: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """``{"broken_entry_id": None, "checked": 84}`` → ``[("Broken entry id", "—"), ("Checked",
    "84")]``; each removed key (``{key: "removed (retention)"}``) after them, with its words."""
    pairs = [(_key_words(key), _value_words(value)) for key, value in (details or {}).items()]
    return pairs + [(_key_words(key), words) for key, words in sorted((removed or {}).items())]


def removal_words(record_details: Mapping | None) -> str:
    """Why a personal value was removed, from the details of the "audit.personal_details_erased"
    entry that records it: "removed (erasure of RR-2026-000002)", "removed (retention)"."""
    details = record_details or {}
    if details.get("rights_request"):
        why = f"erasure of {details['rights_request']}"
    elif details.get("erasure_ledger_entry"):
        why = "erasure, replayed after a backup restore"
    elif details.get("reason") == "retention":
        why = "retention"
    elif details.get("reason") == "erasure":
        why = "erasure"
    else:
        why = "no record of why"
    return f"removed ({why})"
