"""`manage.py import_resources`: CSV, JSON, the seed listing, and files that must change nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from library.factories import AudienceFactory, ResourceTypeFactory, TopicFactory
from library.importer import import_resources, parse_listing
from library.models import ResourcePage
from library.viewsets import resources_needing_tags

# A copy of ../shared/seeds/004_1f8919741e731243.txt (the real listing the library grew from), kept with the
# tests so they never depend on where the shared folder is.
SEED = Path(__file__).parent / "data" / "resource_listing_seed.txt"


@pytest.fixture
def vocab(db):
    for slug, name in [("toolkit", "Toolkit"), ("paper", "Paper"), ("video", "Video"), ("guide", "Guide")]:
        ResourceTypeFactory(name=name, slug=slug)
    TopicFactory(name="Ethics", slug="ethics")
    TopicFactory(name="Payment and recognition", slug="payment-and-recognition")
    AudienceFactory(name="Researchers", slug="researchers")
    AudienceFactory(name="Public contributors", slug="public-contributors")


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_resources", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


CSV = """title,summary,type,topics,audiences,author,year,external_url,free,featured
Ethics in partnership,How to work ethically with partners.,Paper,Ethics,Researchers,UCL,2021,https://example.org/ethics,yes,no
Paying people fairly,A policy for payment.,guide,ethics; Payment and recognition,Public contributors;researchers,Collective,2024,https://example.org/pay,yes,yes
"""


def test_csv_import_creates_tagged_resources(library, vocab, tmp_path):
    path = tmp_path / "resources.csv"
    path.write_text(CSV, encoding="utf-8")
    out, _ = run(path)
    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in out
    pay = ResourcePage.objects.get(title="Paying people fairly")
    assert pay.get_parent().specific == library
    assert pay.live and pay.is_featured and pay.year == 2024 and pay.author == "Collective"
    assert pay.resource_type.slug == "guide"
    assert {t.slug for t in pay.topics.all()} == {"ethics", "payment-and-recognition"}
    assert {a.slug for a in pay.audiences.all()} == {"public-contributors", "researchers"}
    assert pay.external_url == "https://example.org/pay"


def test_import_without_updates_only_adds_what_is_missing(library, vocab, tmp_path):
    path = tmp_path / "resources.csv"
    path.write_text(CSV, encoding="utf-8")
    import_resources(path, library=library)
    ResourcePage.objects.filter(title="Paying people fairly").update(summary="Edited by an editor.")
    path.write_text(CSV + "A third resource,Something new.,toolkit,,,,,,,\n", encoding="utf-8")
    result = import_resources(path, library=library, update_existing=False)
    assert (len(result.created), len(result.updated), len(result.unchanged)) == (1, 0, 2)
    assert ResourcePage.objects.get(title="Paying people fairly").summary == "Edited by an editor."
    assert ResourcePage.objects.filter(title="A third resource").exists()


def test_csv_reimport_updates_and_never_duplicates(library, vocab, tmp_path):
    path = tmp_path / "resources.csv"
    path.write_text(CSV, encoding="utf-8")
    run(path)
    out, _ = run(path)
    assert "0 created, 0 updated, 2 unchanged, 0 rejected" in out
    path.write_text(
        CSV.replace("A policy for payment.", "Our updated payment policy.").replace(",2021,", ",2022,")
    )
    out, _ = run(path)
    assert "0 created, 2 updated, 0 unchanged" in out
    assert ResourcePage.objects.count() == 2
    assert ResourcePage.objects.get(title="Paying people fairly").summary == "Our updated payment policy."
    assert ResourcePage.objects.get(title="Ethics in partnership").year == 2022


def test_json_import(library, vocab, tmp_path):
    path = tmp_path / "resources.json"
    path.write_text(
        json.dumps(
            {
                "resources": [
                    {
                        "title": "A video about power",
                        "summary": "Stories.",
                        "type": "video",
                        "topics": ["Ethics"],
                        "year": 2020,
                        "free": True,
                    },
                    {"title": "Untagged paper", "summary": "No tags yet."},
                ]
            }
        ),
        encoding="utf-8",
    )
    out, _ = run(path)
    assert "2 created" in out
    video = ResourcePage.objects.get(title="A video about power")
    assert video.resource_type.slug == "video" and video.year == 2020
    assert [t.slug for t in video.topics.all()] == ["ethics"]
    # The untyped one got a suggested type from the keyword "paper", and is listed as needing tags.
    untagged = ResourcePage.objects.get(title="Untagged paper")
    assert untagged.resource_type.slug == "paper"
    assert "type Paper suggested" in out
    assert untagged in list(resources_needing_tags())
    run(path)
    assert ResourcePage.objects.count() == 2


def test_json_rejections_name_the_item(library, vocab, tmp_path):
    path = tmp_path / "resources.json"
    path.write_text(json.dumps([{"title": "Fine"}, "not an object", {"title": "Bad year", "year": 1066}]))
    with pytest.raises(CommandError):
        out, err = StringIO(), StringIO()
        try:
            call_command("import_resources", str(path), stdout=out, stderr=err)
        finally:
            errors = err.getvalue()
    assert "item 2: rejected: is not an object with a title" in errors
    assert "item 3: rejected: the year 1066 is not between 1900 and 2100" in errors
    assert ResourcePage.objects.count() == 0


def seed_titles():
    records, _ = parse_listing(SEED.read_text(encoding="utf-8"))
    return [r.data["title"] for r in records]


@pytest.mark.skipif(not SEED.exists(), reason="the seed listing is not on this machine")
def test_seed_listing_imports_every_entry_exactly_once(library, vocab):
    titles = seed_titles()
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    repeated = {a for a, b in zip(lines, lines[1:], strict=False) if a == b}
    # Every title pair in the file, plus the first entry whose repeat was cut off.
    assert len(titles) == len(repeated) + 1 == 101
    assert titles[0] == "Homeless Link Co-Production Toolkit"

    out, _ = run(SEED)
    assert "101 created, 0 updated, 0 unchanged, 0 rejected" in out
    assert "Skipped: not part of an entry" in out  # the website's "no results" line
    assert sorted(ResourcePage.objects.values_list("title", flat=True)) == sorted(titles)
    first = ResourcePage.objects.get(title="Homeless Link Co-Production Toolkit")
    assert first.summary.startswith("This toolkit is designed by Homeless Link")
    assert first.resource_type.slug == "toolkit"
    payment = ResourcePage.objects.get(title="Our payment policy")
    assert "First published in 2022, updated in Sept 2024." in payment.summary
    assert ResourcePage.objects.get(title__startswith="Narrative Matters").summary == ""

    out, _ = run(SEED)
    assert "0 created, 0 updated, 101 unchanged, 0 rejected" in out
    assert ResourcePage.objects.count() == 101


@pytest.mark.skipif(not SEED.exists(), reason="the seed listing is not on this machine")
def test_seed_dry_run_writes_nothing(library, vocab):
    out, _ = run(SEED, "--dry-run")
    assert "Dry run, nothing written: 101 created" in out
    assert ResourcePage.objects.count() == 0


BROKEN = {
    "no-title.csv": ("name,summary\nA,B\n", "no 'title' column"),
    "bad.json": ('[{"title": "ok"},', "not valid JSON"),
    "object.json": ('{"title": "one"}', "must be a list"),
    "latin1.csv": ("title\nCaf\xe9\n".encode("latin-1"), "not UTF-8"),
    "empty.txt": ("\n\n", "holds no resources"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_unreadable_files_change_nothing(library, vocab, tmp_path, name):
    content, message = BROKEN[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = ResourcePage.objects.count()
    with pytest.raises(CommandError, match=message):
        run(path)
    assert ResourcePage.objects.count() == before


def test_rejected_records_abort_the_whole_import(library, vocab, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "title,type,year,external_url,topics,free\n"
        "Good one,Paper,2020,https://example.org/a,Ethics,yes\n"
        ",Paper,2020,,,\n"
        "Bad year,Paper,twenty,,,\n"
        "Bad link,Paper,2020,javascript:alert(1),,\n"
        "Bad topic,Paper,2020,,Astrology,\n"
        "Bad type,Podcast,2020,,,\n"
        "Bad free,Paper,2020,,,perhaps\n"
        "good one,Paper,2021,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="7 record\\(s\\) rejected") as excinfo:
        out, err = StringIO(), StringIO()
        try:
            call_command("import_resources", str(path), stdout=out, stderr=err)
        finally:
            errors = err.getvalue()
    assert ResourcePage.objects.count() == 0
    assert "line 3: rejected: has no title" in errors
    assert "line 4: rejected: the year “twenty” is not a whole number" in errors
    assert "line 5: rejected: the link “javascript:alert(1)” is not a web address" in errors
    assert "line 6: rejected: the topic “Astrology” does not exist" in errors
    assert "line 7: rejected: the type “Podcast” does not exist" in errors
    assert "line 8: rejected: free must be yes or no" in errors
    assert "line 9: rejected: repeats the resource on line 2" in errors
    assert "Nothing was imported" in str(excinfo.value)

    # With --skip-invalid the valid record goes in and the rest are still reported.
    out, err = run(path, "--skip-invalid")
    assert "1 created, 0 updated, 0 unchanged, 7 rejected" in out
    assert list(ResourcePage.objects.values_list("title", flat=True)) == ["Good one"]


def test_progress_is_shown_for_large_files(library, vocab, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("title\n" + "".join(f"Resource number {i}\n" for i in range(250)), encoding="utf-8")
    err = StringIO()
    result = import_resources(path, library=library, progress=err, dry_run=True)
    assert len(result.created) == 250
    assert "250/250 records (100%)" in err.getvalue()
    assert "130/250 records" not in err.getvalue()
    assert ResourcePage.objects.count() == 0


def test_no_library_is_a_clear_error(vocab, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(CSV)
    with pytest.raises(CommandError, match="no library page"):
        run(path)
