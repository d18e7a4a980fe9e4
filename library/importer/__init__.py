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

from .parsing import PARSERS, detect_format, parse_csv, parse_json, parse_listing, read_text, strip_nul
from .records import COLUMNS, ImportFileError, ImportResult, Record, key_for, normalise_title, suggest_type
from .validation import Vocabulary, clean_record
from .writing import Progress, find_library, import_resources

__all__ = [
    "COLUMNS",
    "PARSERS",
    "ImportFileError",
    "ImportResult",
    "Progress",
    "Record",
    "Vocabulary",
    "clean_record",
    "detect_format",
    "find_library",
    "import_resources",
    "key_for",
    "normalise_title",
    "parse_csv",
    "parse_json",
    "parse_listing",
    "read_text",
    "strip_nul",
    "suggest_type",
]
