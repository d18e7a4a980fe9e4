"""/sitemap.xml lists every live public page and validates against the sitemaps.org schema; /robots.txt
points at it and keeps the admin, signed-in and personal addresses out."""

from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
from django.urls import reverse
from lxml import etree
from wagtail.models import Page, PageViewRestriction

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "sitemap.xsd")))
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in document.findall("s:url", NS)
    }


@pytest.fixture
def private_and_draft(library, guidance_index):
    from home.factories import GuidancePageFactory
    from library.factories import ResourcePageFactory

    draft = ResourcePageFactory(parent=library, title="Not yet", live=False)
    private = GuidancePageFactory(parent=guidance_index, title="Team only", slug="team-only")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    return draft, private


def test_sitemap_is_valid_and_lists_every_live_public_page(
    client, home_page, guidance, resource, event, private_and_draft
):
    entries = sitemap_entries(client)

    public = Page.objects.live().public().filter(depth__gte=home_page.depth).specific()
    expected = {page.get_full_url() for page in public}
    assert set(entries) == expected
    # One of each public page type, and nothing that is a draft or behind a sign-in.
    for page in (home_page, guidance, resource, event, resource.get_parent(), event.get_parent()):
        assert page.get_full_url() in entries
    draft, private = private_and_draft
    assert draft.get_full_url() not in entries
    assert private.get_full_url() not in entries
    assert all(loc.startswith("http://localhost/") for loc in entries)


def test_lastmod_is_the_last_publication(client, guidance, resource):
    guidance.summary = "Changed and published again."
    revision = guidance.save_revision()
    revision.publish()
    guidance.refresh_from_db()

    entries = sitemap_entries(client)
    assert entries[guidance.get_full_url()] == guidance.last_published_at.date().isoformat()
    # A page published without a revision (made in code) dates from its first publication.
    assert entries[resource.get_full_url()] == resource.first_published_at.date().isoformat()


def test_sitemap_queries_do_not_grow_with_pages(
    client, library, resource, django_assert_max_num_queries, no_page_cache
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from library.factories import ResourcePageFactory

    with CaptureQueriesContext(connection) as few:
        client.get("/sitemap.xml")
    for number in range(15):
        ResourcePageFactory(parent=library, title=f"More {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/sitemap.xml").status_code == 200


def robots(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return response.content.decode(), parser


def test_robots_points_at_the_sitemap(client, home_page):
    text, parser = robots(client)
    assert parser.site_maps() == ["http://localhost/sitemap.xml"]
    assert "max-age" in client.get("/robots.txt")["Cache-Control"]
    assert text.startswith("User-agent: *\n")


def test_robots_keeps_admin_signed_in_and_personal_addresses_out(client, home_page, library):
    _text, parser = robots(client)
    kept_out = [
        reverse("wagtailadmin_home"),
        reverse("admin:index"),
        reverse("accounts:login"),
        reverse("payments:my_involvement"),
        reverse("payouts:list"),
        reverse("events:manage", args=["a-signed-token"]),
        reverse("search") + "?q=co-production",
        "/api/v2/pages/",
        reverse("stripe_webhook"),
    ]
    for path in kept_out:
        assert not parser.can_fetch("*", f"http://localhost{path}"), path


def test_robots_lets_every_public_page_and_feed_be_crawled(client, home_page, guidance, resource, event):
    _text, parser = robots(client)
    for page in Page.objects.live().public().filter(depth__gte=home_page.depth):
        assert parser.can_fetch("*", page.get_full_url()), page.url
    for path in (
        "/sitemap.xml",
        "/feeds/guidance.rss",
        reverse("library:feed_rss", args=[resource.get_parent().pk]),
    ):
        assert parser.can_fetch("*", f"http://localhost{path}"), path


def test_robots_export_rule_matches_the_export_address(client, library):
    from home.views import ROBOTS_DISALLOW

    export = reverse("library:export", args=[library.pk, "csv"])
    pattern = next(rule for rule in ROBOTS_DISALLOW if "*" in rule)
    head, tail = pattern.split("*")
    assert export.startswith(head) and tail in export


def test_robots_and_sitemap_take_only_get(client, home_page):
    assert client.post("/robots.txt").status_code == 405
    assert client.post("/sitemap.xml").status_code == 405
