"""What rendering a page costs at scale (10,000 resources, 1,000 events, 5,000 registrations), with the
shared page cache off: the budgets of issue 12 (library 12, home 8, event page 10, guidance page 8).
The site's settings, menu, breadcrumbs, taxonomy and view restrictions come from the shared cache after
the first request, as on a running site."""

from io import StringIO

import pytest

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
from library.models import LibraryPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

LIBRARY_QUERIES = [
    "",
    "type=type-1",
    "type=type-0&type=type-2&topic=topic-1&audience=audience-0&year_from=2005&year_to=2020&free=1",
    "q=toolkit&type=type-0&sort=title",
    "topic=topic-3&page=3",
    "page=9999",
]


@pytest.fixture
def big_site(home_page, monkeypatch):
    library = LibraryPage(title="Resources", slug="resources")
    home_page.add_child(instance=library)
    types = [ResourceTypeFactory(name=f"Type {i}", slug=f"type-{i}") for i in range(4)]
    topics = [TopicFactory(name=f"Topic {i}", slug=f"topic-{i}") for i in range(6)]
    audiences = [AudienceFactory(name=f"Audience {i}", slug=f"audience-{i}") for i in range(4)]
    for i in range(3):
        ResourcePageFactory(parent=library, title=f"Community toolkit {i}", summary="A toolkit.")
    bulk_create_resources(
        library, synthetic_specs(10_000 - 3, types=types, topics=topics, audiences=audiences, seed=12)
    )
    refresh_statistics()
    monkeypatch.setattr(events_bench, "REGISTRATIONS", 5_000)
    events_bench.setup(StringIO())
    assert EventPage.objects.count() == 1_000
    return library


def test_query_budgets_at_scale(client, big_site, django_assert_max_num_queries):
    library = big_site
    index = EventIndexPage.objects.get()
    busy_event = EventPage.objects.get(slug=f"{events_bench.PREFIX}1")
    pages = {
        "/": 8,
        "/guidance/draft-manifesto/": 8,
        busy_event.url: 10,
        index.url: 10,
        index.url + "?places_available=on": 10,
        **{f"{library.url}?{query}": 12 for query in LIBRARY_QUERIES},
    }
    for url in pages:
        assert client.get(url).status_code == 200, url  # what a running site has cached already
    for url, budget in pages.items():
        with django_assert_max_num_queries(budget, info=url):
            response = client.get(url)
        assert response.status_code == 200, url
