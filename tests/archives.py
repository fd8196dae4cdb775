"""Reading access packages in tests."""

import csv
import io
import json
import zipfile


def entry_rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    """An entry's rows, from the category CSV that the package's data.json names for it."""
    data = json.loads(archive.read("data.json"))
    (entry,) = [e for e in data["entries"] if e["name"] == name]
    reader = csv.DictReader(io.StringIO(archive.read(entry["file"]).decode()))
    return [row for row in reader if row["entry"] == name]
