"""Demo data for the library and the home page's library section."""

from io import StringIO

import pytest
from django.core.management import call_command

from library.models import Audience, LibraryPage, ResourcePage, ResourceType, Topic


@pytest.fixture
def demo(db):
    call_command("load_demo_data", stdout=StringIO())
    return LibraryPage.objects.get()


def test_demo_library_covers_every_type_topic_and_audience(demo, client):
    resources = ResourcePage.objects.live().child_of(demo)
    assert resources.count() >= 60
    for model, relation in ((ResourceType, "resources"), (Topic, "resources"), (Audience, "resources")):
        for term in model.objects.all():
            assert getattr(term, relation).exists(), f"{model.__name__} {term} has no demo resource"
    assert Topic.objects.filter(name="Climate and place").exists()
    assert Audience.objects.filter(name="Organisations and commissioners").exists()
    response = client.get(demo.url)
    assert response.status_code == 200
    assert response.context["listing"]["count"] == resources.count()
    for resource in resources[:10]:
        assert client.get(resource.url).status_code == 200


def test_demo_is_idempotent_and_adds_synthetic_resources(demo):
    before = ResourcePage.objects.count()
    call_command("load_demo_data", "--resources", "120", stdout=StringIO())
    assert ResourcePage.objects.count() == before + 120
    call_command("load_demo_data", "--resources", "120", stdout=StringIO())
    assert ResourcePage.objects.count() == before + 120
    assert LibraryPage.objects.count() == 1
    from wagtail.models import Page

    assert all(not problems for problems in Page.find_problems())


def test_demo_resources_come_from_the_csv_and_keep_editors_changes(demo):
    import csv

    from library.demo import DEMO_RESOURCES

    with DEMO_RESOURCES.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    from_csv = ResourcePage.objects.child_of(demo).filter(suggestion__isnull=True)  # not the community's
    resources = {r.title: r for r in from_csv.select_related("resource_type")}
    assert len(rows) == len(resources) == 63
    for row in rows:
        resource = resources[row["title"]]
        assert resource.summary == row["summary"] and resource.resource_type.slug == row["type"]
        assert {t.slug for t in resource.topics.all()} == set(row["topics"].split(";"))
    edited = resources[rows[0]["title"]]
    ResourcePage.objects.filter(pk=edited.pk).update(summary="An editor's own words.")
    call_command("load_demo_data", stdout=StringIO())
    edited.refresh_from_db()
    assert edited.summary == "An editor's own words."
    assert ResourcePage.objects.child_of(demo).filter(suggestion__isnull=True).count() == 63


def test_home_page_shows_featured_and_latest_resources(demo, client):
    html = client.get("/").content.decode()
    assert "From the resource library" in html
    featured = ResourcePage.objects.filter(is_featured=True).order_by("-first_published_at", "-pk")[:3]
    for resource in featured:
        assert resource.title in html
    assert f'href="{demo.url}">Browse all resources</a>' in html
    assert "Latest" in html


def test_home_page_has_no_library_section_without_a_library(home_page, client):
    html = client.get("/").content.decode()
    assert "From the resource library" not in html


def test_demo_suggestions_go_through_the_workflow(demo, client):
    from library.models import ResourceSuggestion

    published = ResourceSuggestion.objects.get(status="published")
    pending = ResourceSuggestion.objects.get(status="pending")
    assert published.page.live and published.page.suggested_by == published.name
    assert published.decided_by.email == "moderator@example.org"
    assert "Suggested by" in client.get(published.page.url).content.decode()
    assert not pending.page.live and pending.page.suggested_by == ""
    assert pending.page.current_workflow_state.workflow.name == "Community suggestions"
