"""A version as plain text, what changed between two versions (line by line, with difflib),
and whether purposes, recipients or retention changed (the users are told when they do)."""

import difflib
import re

from cookies.notice.content import (
    ABOUT_COOKIES,
    BROWSER_ADVICE,
    ICO,
    TABLES,
)
from cookies.notice.generate import notice_sections

# Which parts of the snapshot each kind of change covers, and how the e-mail names it.
MATERIAL = {
    "purposes": (("purposes", "legitimate_interests"), "What we use your data for, and why"),
    "recipients": (("recipients", "service_providers"), "Who receives your data"),
    "retention": (("retention",), "How long we keep your data"),
}
CONTEXT_LINES = 1
MARKDOWN_HEADING = re.compile(r"^#+\s*")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def _prose_lines(markdown: str) -> list[str]:
    """Markdown as a reader reads it: headings without their marks, links as "words (address)"."""
    return [
        MARKDOWN_LINK.sub(r"\1 (\2)", MARKDOWN_HEADING.sub("", line))
        for line in markdown.strip().splitlines()
    ]


def complaints_text(snapshot: dict) -> list[str]:
    return [
        f"Data Protection Officer: {snapshot.get('dpo_email', '')}",
        f"Consumer Contact Privacy Notice: {snapshot.get('consumer_contact_url', '')}",
        f"{ICO['name']}: website {ICO['website']}, telephone {ICO['phone']}, post {ICO['address']}",
    ]


def cookie_blocking_text() -> list[str]:
    about = ABOUT_COOKIES
    return [BROWSER_ADVICE, about["before"] + about["name"] + about["after"]]


BLOCK_TEXT = {
    "complaints": complaints_text,
    "cookie_blocking": lambda snapshot: cookie_blocking_text(),
}


def notice_text(*, body: str, sections: dict, snapshot: dict) -> str:
    """The privacy notice as a reader sees it, one paragraph or table row a line."""
    lines = [f"Controller: {snapshot.get('controller', '')}", *_prose_lines(body)]
    for shown in notice_sections(sections=sections, snapshot=snapshot):
        lines += ["", shown.heading, *_prose_lines(shown.prose)]
        for table in shown.tables:
            lines += ["", f"[{table.title}]"]
            lines += [
                " | ".join(f"{h}: {v}" for h, v in zip(table.headers, row, strict=True))
                for row in table.rows
            ] or ["(none)"]
        for block in shown.section.blocks:
            lines += ["", *BLOCK_TEXT[block](snapshot)]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def text_diff(old: str, new: str) -> list[dict]:
    """The lines that changed, with one line of context, as {"op": ..., "text": ...}:
    "added", "removed", "same", or "gap" where unchanged lines are left out."""
    changes = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), lineterm="", n=CONTEXT_LINES
    ):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            changes.append({"op": "gap", "text": ""})
        elif line.startswith("+"):
            changes.append({"op": "added", "text": line[1:]})
        elif line.startswith("-"):
            changes.append({"op": "removed", "text": line[1:]})
        else:
            changes.append({"op": "same", "text": line[1:]})
    # The first gap only says "from the top": drop it.
    return changes[1:] if changes and changes[0]["op"] == "gap" else changes


# Everything else a snapshot holds, in words, for the DPO's "the records have changed" warning.
OTHER_PARTS = {
    "information_types": "The information we hold",
    "controller": "The controller's name",
    "dpo_email": "The Data Protection Officer's address",
    "consumer_contact_url": "The Consumer Contact Privacy Notice's address",
    "cookie_types": "The types of cookies",
}


def snapshot_differences(old: dict, new: dict) -> list[str]:
    """Every part of the generated notice that differs between two snapshots, in words."""
    parts = [
        words
        for keys, words in MATERIAL.values()
        if any(old.get(key) != new.get(key) for key in keys)
    ]
    return parts + [words for key, words in OTHER_PARTS.items() if old.get(key) != new.get(key)]


def material_changes(old: dict | None, new: dict) -> list[str]:
    """Which of purposes, recipients and retention differ; all three when there is nothing
    to compare with (the first generated version)."""
    return [
        kind
        for kind, (keys, _) in MATERIAL.items()
        if old is None or any(old.get(key) != new.get(key) for key in keys)
    ]


def change_summary(old: dict | None, new: dict, kinds: list[str]) -> list[str]:
    """For the e-mail: each changed area, with the rows added, changed or removed by name."""
    summary = []
    for kind in kinds:
        keys, words = MATERIAL[kind]
        names = []
        for key in keys:
            names += _changed_names(key, (old or {}).get(key) or [], new.get(key) or [])
        unique = list(dict.fromkeys(names))
        summary.append(f"{words}: {', '.join(unique)}." if unique else f"{words}.")
    return summary


def _name_key(source: str) -> str:
    """The column that names a row of a snapshot's list (its first column in the notice)."""
    return next(spec.columns[0][0] for spec in TABLES.values() if spec.source == source)


def _changed_names(source: str, old_rows: list[dict], new_rows: list[dict]) -> list[str]:
    key = _name_key(source)
    before = {str(row.get(key, "")): row for row in old_rows}
    after = {str(row.get(key, "")): row for row in new_rows}
    names = []
    for name, row in after.items():
        if before.get(name) == row:
            continue
        # A retention period says what it is now; other rows are read on the notice itself.
        names.append(f"{name} ({row['kept'].lower()})" if "kept" in row else name)
    return names + [f"{name} (no longer)" for name in before if name not in after]
