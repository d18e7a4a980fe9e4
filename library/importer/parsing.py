"""Reading CSV, JSON and the plain-text listing into records."""

import csv
import io
import json
from pathlib import Path

from .records import COLUMNS, ImportFileError, Record


def detect_format(path, declared=None):
    if declared:
        return declared
    suffix = Path(path).suffix.lower()
    return {".csv": "csv", ".json": "json", ".txt": "text", ".text": "text"}.get(suffix, "text")


def read_text(path, name=None):
    """The file's text; `name` is how messages call the file (an upload's own name, not where the
    server keeps it)."""
    name = name or path
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {name}: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{name} is not UTF-8 text (byte {exc.start} cannot be read). Save it as UTF-8 and try again."
        ) from exc


def strip_nul(text):
    """Removes NUL characters (no database text column can hold them) and says where the first was."""
    first = text.find("\x00")
    if first < 0:
        return text, None
    count = text.count("\x00")
    line = text.count("\n", 0, first) + 1
    return text.replace("\x00", ""), (line, f"{count} NUL character(s) removed (the first on line {line}).")


def parse_csv(text):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise ImportFileError("The CSV file is empty: it needs a header row with at least a 'title' column.")
    headers = [(h or "").strip().lower() for h in reader.fieldnames]
    if "title" not in headers:
        raise ImportFileError(
            f"The CSV header has no 'title' column (found: {', '.join(h for h in headers if h) or 'nothing'}). "
            f"Columns: {', '.join(COLUMNS)}."
        )
    unknown = [h for h in headers if h and h not in COLUMNS]
    records = []
    try:
        for row in reader:
            data = {}
            for raw_key, value in row.items():
                key = (raw_key or "").strip().lower()
                if key in COLUMNS:
                    data[key] = (value or "").strip() if isinstance(value, str) else value
            if not any(v for v in data.values()):
                continue  # blank line
            if None in row:
                records.append(
                    Record(reader.line_num, {"_error": "has more cells than the header has columns"})
                )
                continue
            records.append(Record(reader.line_num, data))
    except csv.Error as exc:
        raise ImportFileError(f"Line {reader.line_num}: the CSV cannot be read ({exc}).") from exc
    notes = [(1, f"Column '{h}' is not used (columns: {', '.join(COLUMNS)}).") for h in unknown]
    return records, notes


def parse_json(text):
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"Line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}).") from exc
    except RecursionError as exc:
        raise ImportFileError("The JSON is nested too deeply to be a resource list.") from exc
    if isinstance(payload, dict) and isinstance(payload.get("resources"), list):
        payload = payload["resources"]
    if not isinstance(payload, list):
        raise ImportFileError('The JSON must be a list of resources, or an object with a "resources" list.')
    records = []
    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            records.append(Record(number, {"_error": "is not an object with a title"}))
            continue
        data = {
            k.strip().lower(): v
            for k, v in item.items()
            if isinstance(k, str) and k.strip().lower() in COLUMNS
        }
        records.append(Record(number, data))
    return records, []


def _looks_like_title(line):
    return len(line) <= 300 and not line.rstrip().endswith((".", "!", "?", ":", ";", ","))


def parse_listing(text):
    """The plain-text listing: title, the title again, then an optional summary paragraph.

    A title that is not repeated is still taken as an entry when it is followed by its summary
    (the listing may start part-way through an entry); any other line outside an entry (such as
    text copied from the website around the list) is skipped and reported.
    """
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    records, notes = [], []

    def pair_starts(i):
        return i + 1 < len(lines) and lines[i][1] == lines[i + 1][1]

    i = 0
    while i < len(lines):
        number, line = lines[i]
        if pair_starts(i):
            data = {"title": line}
            i += 2
            if i < len(lines) and not pair_starts(i):
                data["summary"] = lines[i][1]
                i += 1
            records.append(Record(number, data))
        elif (
            _looks_like_title(line)
            and i + 1 < len(lines)
            and not pair_starts(i + 1)
            and not _looks_like_title(lines[i + 1][1])
        ):
            records.append(
                Record(number, {"title": line, "summary": lines[i + 1][1]}, ["the title is not repeated"])
            )
            i += 2
        else:
            notes.append((number, f"Skipped: not part of an entry (“{line[:60]}”)."))
            i += 1
    return records, notes


PARSERS = {"csv": parse_csv, "json": parse_json, "text": parse_listing}
