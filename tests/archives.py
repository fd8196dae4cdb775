"""Reading access packages in tests."""

import csv
import io
import json
import zipfile


def entry_rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    """An entry's rows, from the CSV that the package's data.json names for it, keyed by the
    entry's export fields (the file's headings are in words, in the same order)."""
    data = json.loads(archive.read("data.json"))
    (entry,) = [e for e in data["entries"] if e["name"] == name]
    header, *rows = csv.reader(io.StringIO(archive.read(entry["file"]).decode()))
    assert header == entry["columns"], (name, header)
    return [dict(zip(entry["fields"], row, strict=True)) for row in rows]
