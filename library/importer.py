"""Importing resource lists into a library: CSV, JSON and the plain-text listing format.

What must stay true:
- Idempotent: each record is matched to an existing resource by a stable key (its slug, given or
  made from the normalised title; else its external link), so importing a file again updates or
  leaves alone, and never duplicates.
- Atomic: the whole import runs in one transaction. A file that cannot be read changes nothing;
  a file with rejected records changes nothing either, unless the caller asks to skip them.
- Every rejected record is reported with its line (CSV, text) or item number (JSON) and why.

CSV columns (a header row is required; only `title` is mandatory, other columns may be left out):
    title, summary, type, topics, audiences, author, year, external_url, free, featured, slug
`topics` and `audiences` hold names or slugs separated by semicolons; `free` and `featured` take
yes/no, true/false or 1/0. JSON is a list of objects with the same keys (or {"resources": [...]});
topics and audiences may be lists. The plain-text listing has one entry per title: the title, the
title again on the next line, then an optional one-paragraph summary.
"""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from portal.http import parse_id

from .models import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Audience,
    LibraryPage,
    ResourcePage,
    ResourceType,
    Topic,
    http_url_validator,
)

COLUMNS = [
    "title",
    "summary",
    "type",
    "topics",
    "audiences",
    "author",
    "year",
    "external_url",
    "free",
    "featured",
    "slug",
]
TRUE_WORDS = {"yes", "y", "true", "1", "free"}
FALSE_WORDS = {"no", "n", "false", "0", "paid", ""}

# Keyword rules that suggest a type for a record that has none: (type slug, words in the title or
# summary). The first rule with a match wins, so the more specific words come first.
TYPE_RULES = [
    ("podcast", ["podcast"]),
    ("video", ["video", "animation", "film", "recording", "vidoes"]),
    ("course", ["course", "training", "webinar"]),
    ("toolkit", ["toolkit", "toolbox", "workbook"]),
    ("book", ["book", "cookbook"]),
    ("case-study", ["case study", "case studies", "project", "story"]),
    ("paper", ["article", "paper", "study", "review", "synthesis", "editorial", "special issue", "journal"]),
    ("report", ["report", "evaluation", "write-up", "findings"]),
    ("guide", ["guide", "guidance", "handbook", "how to", "how-to", "policy", "principles"]),
]


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, wrong format, no title column)."""


@dataclass
class Record:
    line: int  # line number (CSV, text) or item number (JSON), for messages
    data: dict
    notes: list = field(default_factory=list)


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # (line, reason)
    notes: list = field(default_factory=list)  # (line, message): skipped lines, suggested types
    dry_run: bool = False
    written: bool = False
    unit: str = "line"  # what the numbers count: lines (CSV, text) or items (JSON)

    def summary(self):
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected"
        )


def normalise_title(title):
    title = unicodedata.normalize("NFKC", title)
    title = title.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", title).strip()


def key_for(title):
    """The stable matching key (and slug) for a title: case, punctuation and spacing do not matter."""
    return slugify(normalise_title(title))[:80].strip("-") or "resource"


def suggest_type(text):
    lowered = text.lower()
    for slug, words in TYPE_RULES:
        for word in words:
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                return slug, word
    return None, None


# Parsing ---------------------------------------------------------------------------------------


def detect_format(path, declared=None):
    if declared:
        return declared
    suffix = Path(path).suffix.lower()
    return {".csv": "csv", ".json": "json", ".txt": "text", ".text": "text"}.get(suffix, "text")


def read_text(path):
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be read). Save it as UTF-8 and try again."
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


# Validation ------------------------------------------------------------------------------------


class Vocabulary:
    """Taxonomy terms by lower-cased name and slug (loaded once per import)."""

    def __init__(self):
        self.terms = {}
        for key, model in (("type", ResourceType), ("topics", Topic), ("audiences", Audience)):
            lookup = {}
            for term in model.objects.all():
                lookup[term.name.lower()] = term
                lookup[term.slug.lower()] = term
            self.terms[key] = lookup

    def find(self, key, value):
        return self.terms[key].get(str(value).strip().lower())


def _kind(value):
    if isinstance(value, bool):
        return "true or false"
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _text(data, key, label=None):
    """A text value from a record: JSON may hold numbers (a title such as 1984) but never a list,
    an object or true/false where text belongs. A JSON escape (\\u0000) can still put a NUL
    character in a string after the file's NULs were removed, so it is removed here too."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"the {label or key} must be text, not {_kind(value)}")


def _as_list(value, key="value"):
    if value is None:
        return []
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise ValueError(f"each of the {key} must be text, not {_kind(item)}")
        items = [str(item).replace("\x00", "").strip() for item in value]
        return [item for item in items if item]
    return [part.strip() for part in _text({key: value}, key).split(";") if part.strip()]


def _as_bool(value, name):
    if isinstance(value, bool):
        return value
    if not isinstance(value, (str, int)):
        raise ValueError(f"{name} must be yes or no, not {_kind(value)}")
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be yes or no, not “{value}”")


def clean_record(record, vocabulary):
    """The model values for one record, or raises ValueError with the reason it is rejected."""
    data = record.data
    if "_error" in data:
        raise ValueError(data["_error"])
    # Kept as written (typographic quotes and all); only the matching key is normalised.
    title = re.sub(r"\s+", " ", unicodedata.normalize("NFC", _text(data, "title"))).strip()
    if not title:
        raise ValueError("has no title")
    if len(title) > 255:
        raise ValueError(f"the title is {len(title)} characters long (at most 255)")
    values = {"title": title}
    if "summary" in data:
        values["summary"] = re.sub(r"\s+", " ", _text(data, "summary")).strip()
        if len(values["summary"]) > 2000:
            raise ValueError("the summary is longer than 2,000 characters")
    if "author" in data:
        values["author"] = _text(data, "author").strip()[:255]
    if "year" in data and _text(data, "year").strip():
        try:
            year = int(_text(data, "year").strip())
        except ValueError:
            raise ValueError(f"the year “{data['year']}” is not a whole number") from None
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise ValueError(f"the year {year} is not between {EARLIEST_YEAR} and {LATEST_YEAR}")
        values["year"] = year
    elif "year" in data:
        values["year"] = None
    if "external_url" in data:
        url = _text(data, "external_url", "link").strip()
        if len(url) > 500:
            raise ValueError(f"the link is {len(url)} characters long (at most 500)")
        if url:
            try:
                http_url_validator(url)
            except ValidationError:
                raise ValueError(
                    f"the link “{url[:80]}” is not a web address starting with http:// or https://"
                ) from None
        values["external_url"] = url
    for name, attr in (("free", "is_free"), ("featured", "is_featured")):
        if name in data and str(data[name]).strip() != "":
            values[attr] = _as_bool(data[name], name)
    if "type" in data and _text(data, "type").strip():
        term = vocabulary.find("type", data["type"])
        if term is None:
            raise ValueError(f"the type “{data['type']}” does not exist (add it under Library tags first)")
        values["resource_type"] = term
    for key in ("topics", "audiences"):
        if key in data:
            terms = []
            for name in _as_list(data[key], key):
                term = vocabulary.find(key, name)
                if term is None:
                    raise ValueError(
                        f"the {key[:-1]} “{name}” does not exist (add it under Library tags first)"
                    )
                terms.append(term)
            values[key] = terms
    slug = _text(data, "slug").strip()
    if len(slug) > 255:
        raise ValueError(f"the slug is {len(slug)} characters long (at most 255)")
    if slug and slugify(slug) != slug:
        raise ValueError(f"the slug “{slug}” may only contain lower-case letters, numbers and hyphens")
    values["slug"] = slug or key_for(title)
    return values


# Writing ---------------------------------------------------------------------------------------


SCALARS = ["title", "summary", "author", "year", "external_url", "is_free", "is_featured", "resource_type"]


def _changes(page, values):
    changed = []
    for name in SCALARS:
        if name in values and getattr(page, name) != values[name]:
            changed.append(name)
    for name in ("topics", "audiences"):
        if name in values:
            current = {t.pk for t in getattr(page, name).all()}
            if current != {t.pk for t in values[name]}:
                changed.append(name)
    return changed


def _apply(page, values):
    for name in SCALARS:
        if name in values:
            setattr(page, name, values[name])
    if page.title:
        page.draft_title = page.title
    for name in ("topics", "audiences"):
        if name in values:
            getattr(page, name).set(values[name])


class Progress:
    """Progress for large files: a bar redrawn in place on a terminal, a line every 10% otherwise."""

    def __init__(self, stream, total, enabled):
        self.stream, self.total, self.enabled = stream, total, enabled and total >= 200
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_decile = -1

    def update(self, done):
        if not self.enabled:
            return
        fraction = done / self.total
        if self.tty:
            filled = int(fraction * 30)
            self.stream.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{self.total}")
            if done == self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif int(fraction * 10) != self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(f"{done}/{self.total} records ({int(fraction * 100)}%)\n")


def find_library(identifier=None):
    libraries = LibraryPage.objects.all()
    if identifier:
        pk = parse_id(identifier)
        found = libraries.filter(pk=pk) if pk is not None else libraries.filter(slug=identifier)
        library = found.first()
        if library is None:
            raise ImportFileError(f"There is no library page “{identifier}”.")
        return library
    count = libraries.count()
    if count == 0:
        raise ImportFileError(
            "There is no library page yet: create one in the admin (or run load_demo_data)."
        )
    if count > 1:
        raise ImportFileError("There are several library pages: choose one with --library SLUG.")
    return libraries.get()


def import_resources(
    path, *, library, fmt=None, dry_run=False, skip_invalid=False, suggest_types=True, progress=None
):
    """Imports the resources in `path` into `library`; returns an ImportResult.

    Raises ImportFileError (having written nothing) when the file cannot be read. When records are
    rejected, nothing is written either unless `skip_invalid` is set; the result lists them.
    """
    fmt = detect_format(path, fmt)
    if fmt not in PARSERS:
        raise ImportFileError(f"Unknown format “{fmt}” (csv, json or text).")
    text, nul_note = strip_nul(read_text(path))
    records, notes = PARSERS[fmt](text)
    if nul_note:
        notes.insert(0, nul_note)
    if not records:
        raise ImportFileError("The file holds no resources.")
    result = ImportResult(dry_run=dry_run, notes=list(notes), unit="item" if fmt == "json" else "line")
    vocabulary = Vocabulary()
    types_by_slug = {t.slug: t for t in ResourceType.objects.all()}
    existing = {
        page.slug: page
        for page in ResourcePage.objects.child_of(library).prefetch_related("topics", "audiences")
    }
    by_url = {page.external_url: page for page in existing.values() if page.external_url}
    by_title = {key_for(page.title): page for page in existing.values()}
    seen = {}
    meter = Progress(progress, len(records), progress is not None)

    with transaction.atomic():
        for done, record in enumerate(records, start=1):
            meter.update(done)
            try:
                values = clean_record(record, vocabulary)
            except ValueError as exc:
                result.rejected.append((record.line, str(exc)))
                continue
            for note in record.notes:
                result.notes.append((record.line, f"“{values['title'][:60]}”: {note}."))
            key = values["slug"]
            if key in seen:
                result.rejected.append(
                    (record.line, f"repeats the resource on line {seen[key]} (“{values['title'][:60]}”)")
                )
                continue
            seen[key] = record.line
            page = (
                existing.get(key)
                or by_title.get(key_for(values["title"]))
                or (by_url.get(values["external_url"]) if values.get("external_url") else None)
            )
            if page is None:
                if suggest_types and "resource_type" not in values:
                    slug, word = suggest_type(f"{values['title']} {values.get('summary', '')}")
                    if slug in types_by_slug:
                        values["resource_type"] = types_by_slug[slug]
                        result.notes.append(
                            (
                                record.line,
                                f"“{values['title'][:60]}”: type {types_by_slug[slug].name} suggested (“{word}”).",
                            )
                        )
                topics = values.pop("topics", [])
                audiences = values.pop("audiences", [])
                values.setdefault("summary", "")
                now = timezone.now()
                page = ResourcePage(
                    **values,
                    draft_title=values["title"],
                    live=True,
                    first_published_at=now,
                    last_published_at=now,
                    topics=topics,
                    audiences=audiences,
                )
                library.add_child(instance=page)
                existing[key] = by_title[key_for(page.title)] = page
                result.created.append((record.line, values["title"]))
                continue
            values.pop("slug")
            changed = _changes(page, values)
            if not changed:
                result.unchanged.append((record.line, page.title))
                continue
            _apply(page, values)
            page.save_revision(log_action=True).publish(log_action=True)
            result.updated.append((record.line, page.title, changed))
        if (result.rejected and not skip_invalid) or dry_run:
            transaction.set_rollback(True)
        else:
            result.written = True
    if result.written:
        # Pages are saved without revisions on creation; keep the parent's tree counts fresh.
        library.refresh_from_db()
    return result
