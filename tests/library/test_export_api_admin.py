"""Open data (CSV and JSON export, the API) and the admin (taxonomy snippets, needing-tags report)."""

import csv
import io
import json

import pytest

from library.models import ResourcePage


@pytest.fixture
def resources(make_resource, taxonomy):
    t = taxonomy
    make_resource(
        title="Ethics toolkit",
        summary="Steps for ethical partnership.",
        resource_type=t["toolkit"],
        topics=[t["ethics"]],
        audiences=[t["researchers"]],
        author="UCL",
        year=2019,
        external_url="https://example.org/ethics",
        is_free=True,
    )
    make_resource(
        title='=HYPERLINK("http://evil")',
        summary="A title that looks like a formula.",
        resource_type=t["paper"],
        topics=[t["payment"], t["ethics"]],
        audiences=[t["public"]],
        year=2023,
        is_free=False,
    )
    make_resource(
        title="Mental health video", resource_type=t["video"], topics=[t["mental-health"]], year=2021
    )


def test_json_export_holds_the_filtered_view(client, library, resources):
    response = client.get(f"/library/{library.pk}/export.json?topic=ethics&sort=title")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["count"] == 2
    first, second = data["resources"]
    assert [first["title"], second["title"]] == ['=HYPERLINK("http://evil")', "Ethics toolkit"]
    assert second == {
        "title": "Ethics toolkit",
        "url": "http://localhost/resources/ethics-toolkit/",
        "summary": "Steps for ethical partnership.",
        "type": "Toolkit",
        "topics": ["Ethics"],
        "audiences": ["Researchers"],
        "author": "UCL",
        "year": 2019,
        "external_url": "https://example.org/ethics",
        "free": True,
        "featured": False,
        "first_published": second["first_published"],
    }
    assert first["topics"] == ["Ethics", "Payment and recognition"]
    searched = json.loads(client.get(f"/library/{library.pk}/export.json?q=partnership").content)
    assert [r["title"] for r in searched["resources"]] == ["Ethics toolkit"]


def test_csv_export_holds_the_filtered_view_and_defuses_formulas(client, library, resources):
    response = client.get(f"/library/{library.pk}/export.csv?free=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["Mental health video", "Ethics toolkit"]
    assert rows[1]["topics"] == "Ethics" and rows[1]["free"] == "yes" and rows[1]["year"] == "2019"
    everything = client.get(f"/library/{library.pk}/export.csv?sort=title").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in everything
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 3


def test_export_survives_bad_parameters_and_formats(client, library, resources):
    assert client.get(f"/library/{library.pk}/export.csv?type=nope&year_from=x&page=z").status_code == 200
    assert client.get(f"/library/{library.pk}/export.xml").status_code == 404
    assert client.get("/library/999999/export.csv").status_code == 404


def test_library_page_links_to_export_of_the_same_view(client, library, resources):
    html = client.get(library.url + "?topic=ethics").content.decode()
    assert f'href="/library/{library.pk}/export.csv?topic=ethics"' in html


def test_api_lists_resources_with_tags(client, library, resources):
    response = client.get(
        "/api/v2/resources/?fields=topics,audiences,author,external_url,is_free&order=title"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["total_count"] == 3
    ethics = next(item for item in data["items"] if item["title"] == "Ethics toolkit")
    assert ethics["resource_type"] == "Toolkit" and ethics["year"] == 2019
    assert ethics["topics"] == ["Ethics"] and ethics["audiences"] == ["Researchers"]
    assert ethics["external_url"] == "https://example.org/ethics"
    detail = client.get(f"/api/v2/resources/{ethics['id']}/").json()
    assert detail["summary"] == "Steps for ethical partnership."
    assert client.get("/api/v2/resources/?is_free=false").json()["meta"]["total_count"] == 1


def test_api_hides_drafts(client, library, resources):
    page = ResourcePage.objects.get(title="Ethics toolkit")
    page.unpublish()
    assert client.get("/api/v2/resources/").json()["meta"]["total_count"] == 2


def test_external_link_must_be_http(library, taxonomy):
    from django.core.exceptions import ValidationError

    page = ResourcePage(title="Bad", slug="bad", summary="x", external_url="javascript:alert(1)")
    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()
    assert "external_url" in excinfo.value.message_dict
    page.external_url = "ftp://example.org/file"
    with pytest.raises(ValidationError):
        page.full_clean()


def test_editor_manages_taxonomy_snippets(client, editor):
    from library.models import Topic

    client.force_login(editor)
    assert client.get("/admin/snippets/library/topic/").status_code == 200
    response = client.post(
        "/admin/snippets/library/topic/add/",
        {"name": "Climate and place", "slug": "climate-and-place", "description": ""},
    )
    assert response.status_code == 302
    assert Topic.objects.get(slug="climate-and-place").name == "Climate and place"


def test_needing_tags_report_lists_untagged_resources(client, editor, make_resource, taxonomy):
    tagged = make_resource(
        title="Fully tagged",
        resource_type=taxonomy["toolkit"],
        topics=[taxonomy["ethics"]],
        audiences=[taxonomy["public"]],
    )
    untagged = make_resource(title="No tags at all")
    no_audience = make_resource(
        title="No audience", resource_type=taxonomy["toolkit"], topics=[taxonomy["ethics"]]
    )
    client.force_login(editor)
    response = client.get("/admin/reports/resources-needing-tags/")
    assert response.status_code == 200
    html = response.content.decode()
    assert untagged.title in html and no_audience.title in html
    assert tagged.title not in html
    export = client.get("/admin/reports/resources-needing-tags/?export=csv")
    assert export.status_code == 200
    assert b"No tags at all" in b"".join(export.streaming_content)


def test_resource_page_renders_details(client, library, resources):
    page = ResourcePage.objects.get(title="Ethics toolkit")
    html = client.get(page.url).content.decode()
    assert "Steps for ethical partnership." in html
    assert 'href="https://example.org/ethics"' in html
    assert f'href="{library.url}?topic=ethics"' in html
