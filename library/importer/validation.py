"""Checking each record and turning it into model values (or the reason it is rejected)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from ..models import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Audience,
    ResourceType,
    Topic,
    http_url_validator,
)
from .records import FALSE_WORDS, TRUE_WORDS, key_for


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
