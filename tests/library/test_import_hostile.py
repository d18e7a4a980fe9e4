"""Import files from the hostile pass: NUL bytes, JSON nested 100,000 deep, values of the wrong type or
length. Each gives a clear message (or is cleaned and noted), never a traceback, and a dry run writes
nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from library.importer import import_resources
from library.models import ResourcePage


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_resources", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
def test_nul_bytes_in_a_csv_are_removed_and_noted(library, tmp_path, dry_run):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"title,summary,author\nEthics\x00 in partnership,A sum\x00mary.,U\x00CL\n")
    out, _ = run(path, *(["--dry-run"] if dry_run else []))
    assert "3 NUL character(s) removed (the first on line 2)" in out
    assert "1 created" in out
    if dry_run:
        assert not ResourcePage.objects.exists()
    else:
        page = ResourcePage.objects.get()
        assert (page.title, page.summary, page.author) == ("Ethics in partnership", "A summary.", "UCL")


def test_nul_bytes_in_a_text_listing_are_removed(library, tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"A gui\x00de\nA gui\x00de\nWhat it is about.\n")
    out, _ = run(path, "--dry-run")
    assert "NUL character(s) removed" in out and "1 created" in out


def test_nul_in_json_strings_is_removed(library, tmp_path):
    path = tmp_path / "nul.json"
    path.write_text(json.dumps([{"title": "Null\u0000 title", "summary": "x"}]), encoding="utf-8")
    # json.dumps writes \\u0000, which json.loads turns into a NUL character in the title.
    result = import_resources(path, library=library)
    assert result.rejected == []
    assert ResourcePage.objects.get().title == "Null title"


def test_json_nested_100000_deep_is_refused_with_a_message(library, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(CommandError, match="nested too deeply"):
        run(path)
    assert not ResourcePage.objects.exists()


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"title": ["a"]}, "the title must be text, not a list"),
        ({"title": {"en": "a"}}, "the title must be text, not an object"),
        ({"title": True}, "the title must be text, not true or false"),
        ({"title": "Fine", "summary": ["x"]}, "the summary must be text, not a list"),
        ({"title": "Fine", "author": {"name": "x"}}, "the author must be text, not an object"),
        ({"title": "Fine", "year": [2020]}, "the year must be text, not a list"),
        ({"title": "Fine", "external_url": ["https://example.org"]}, "the link must be text, not a list"),
        ({"title": "Fine", "external_url": "https://example.org/" + "a" * 600}, "at most 500"),
        ({"title": "Fine", "slug": "a" * 300}, "the slug is 300 characters long"),
        ({"title": "Fine", "topics": [{"name": "x"}]}, "each of the topics must be text, not an object"),
        ({"title": "Fine", "free": ["yes"]}, "free must be yes or no, not a list"),
        ({"title": "Fine", "type": 7}, "the type “7” does not exist"),
    ],
)
def test_json_values_of_the_wrong_type_or_size_are_rejected(library, tmp_path, record, reason):
    path = tmp_path / "typed.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    result = import_resources(path, library=library)
    assert len(result.rejected) == 1
    assert reason in result.rejected[0][1]
    assert not ResourcePage.objects.exists()


def test_a_numeric_json_title_is_taken_as_its_text(library, tmp_path):
    path = tmp_path / "number.json"
    path.write_text(json.dumps([{"title": 1984, "summary": "A novel."}]), encoding="utf-8")
    result = import_resources(path, library=library)
    assert result.rejected == []
    assert ResourcePage.objects.get().title == "1984"
