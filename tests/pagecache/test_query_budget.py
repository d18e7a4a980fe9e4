"""What a cold render costs (the shared cache flushed before each request, the process warm, as after
a deploy or a purge): at most 15 queries for each public page type, and the same number at 1,000 and
at 10,000 resources (100 and 1,000 events), so no listing grows with the data."""

from io import StringIO

import pytest
from django.core.cache import caches
from django.test.utils import CaptureQueriesContext

from events import bench as events_bench
from events.models import EventIndexPage, EventPage
from library.demo import refresh_statistics
from library.factories import (
    AudienceFactory,
    ResourcePageFactory,
    ResourceTypeFactory,
    TopicFactory,
    bulk_create_resources,
    synthetic_specs,
)
from library.models import LibraryPage, ResourcePage

pytestmark = pytest.mark.django_db

# Every cache flushed: the settings and the menu come from this process (portal.cache.site_value),
# as a warm process has them; the home page, with four sections, is the most (15).
BUDGET = 15
LIBRARY_QUERIES = [
    "",
    "type=type-1",
    "type=type-0&type=type-2&topic=topic-1&audience=audience-0&year_from=2005&year_to=2020&free=1",
    "q=toolkit&type=type-0&sort=title",
    "q=toolkit&topic=topic-1",
    "topic=topic-3&page=3",
    "page=9999",
]


def grow(library, resources, events, monkeypatch, terms):
    have = ResourcePage.objects.child_of(library).count()
    specs = synthetic_specs(resources - have, **terms, seed=resources, prefix=f"Synthetic {resources}")
    bulk_create_resources(library, specs)
    refresh_statistics()
    monkeypatch.setattr(events_bench, "EVENTS", events)
    monkeypatch.setattr(events_bench, "REGISTRATIONS", events * 5)
    events_bench.setup(StringIO())
    assert ResourcePage.objects.child_of(library).count() == resources


def cold_counts(client, urls):
    from django.db import connection

    counts = {}
    for url in urls:
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries.captured_queries)
    return counts


def test_cold_renders_cost_the_same_few_queries_at_any_size(client, home_page, monkeypatch):
    library = LibraryPage(title="Resources", slug="resources")
    home_page.add_child(instance=library)
    terms = {
        "types": [ResourceTypeFactory(name=f"Type {i}", slug=f"type-{i}") for i in range(4)],
        "topics": [TopicFactory(name=f"Topic {i}", slug=f"topic-{i}") for i in range(6)],
        "audiences": [AudienceFactory(name=f"Audience {i}", slug=f"audience-{i}") for i in range(4)],
    }
    for i in range(3):
        ResourcePageFactory(parent=library, title=f"Community toolkit {i}", summary="A toolkit.")
    grow(library, 1_000, 100, monkeypatch, terms)
    index = EventIndexPage.objects.get()
    event = EventPage.objects.get(slug=f"{events_bench.PREFIX}1")
    urls = [
        "/",
        "/guidance/draft-manifesto/",
        "/search/?q=toolkit",
        event.url,
        index.url,
        index.url + "?places_available=on",
        *(f"{library.url}?{query}" for query in LIBRARY_QUERIES),
    ]
    client.get("/")  # the process warms up (content types, templates), as a running site has
    client.get("/search/?q=warm")  # and a search has read the page types' content types once
    small = cold_counts(client, urls)
    grow(library, 10_000, 1_000, monkeypatch, terms)
    client.get("/")  # the growth was a whole-site purge: the process reads the site's settings again
    large = cold_counts(client, urls)
    assert large == small
    assert max(large.values()) <= BUDGET, large
