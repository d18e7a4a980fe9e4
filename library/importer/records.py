"""The importer's vocabulary: the columns, the records and results it passes around, and how titles
are matched."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import slugify

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
