"""With thousands of resources, the library page runs the same number of SQL queries for every
filter combination and every page: nothing queries inside a loop over results or options. A search
adds exactly one query (its ranked matches), whatever else is chosen."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from library.demo import refresh_statistics
from library.factories import (
    AudienceFactory,
    ResourcePageFactory,
    ResourceTypeFactory,
    TopicFactory,
    bulk_create_resources,
    synthetic_specs,
)
from library.models import ResourcePage

# Counts what rendering costs, so the shared page cache is off.
pytestmark = pytest.mark.usefixtures("no_page_cache")

# Each filter, as (parameter string when active). Every subset of these is requested.
FILTERS = {
    "q": "q=toolkit",
    "type": "type=type-0&type=type-2",
    "topic": "topic=topic-1&topic=topic-3",
    "audience": "audience=audience-0",
    "years": "year_from=2005&year_to=2020",
    "free": "free=1",
    "sort": "sort=title",
}
OTHER_PAGES = ["page=2", "page=9999", "page=abc", "page=3"]


@pytest.fixture
def big_library(library):
    def build(count):
        types = [ResourceTypeFactory(name=f"Type {i}", slug=f"type-{i}") for i in range(4)]
        topics = [TopicFactory(name=f"Topic {i}", slug=f"topic-{i}") for i in range(6)]
        audiences = [AudienceFactory(name=f"Audience {i}", slug=f"audience-{i}") for i in range(4)]
        existing = ResourcePage.objects.child_of(library).count()
        bulk_create_resources(
            library,
            synthetic_specs(count - existing, types=types, topics=topics, audiences=audiences, seed=count),
        )
        # As after any bulk load (see library.demo.refresh_statistics): without planner statistics
        # PostgreSQL expects one resource where there are thousands and picks very slow plans.
        refresh_statistics()
        return library

    # A few indexed resources so that the search has something to find.
    for i in range(3):
        ResourcePageFactory(parent=library, title=f"Community toolkit {i}", summary="A toolkit.")
    return build


def count_queries(client, url):
    # The connection keeps only the last 9,000 queries, which would break the capture's arithmetic
    # over hundreds of requests: start each capture from an empty log.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), response


def all_urls(library):
    """Every subset of the filters, each on its first page and on one other kind of page (the second,
    far past the end, or not a number), taking those in turn."""
    combinations = [names for n in range(len(FILTERS) + 1) for names in itertools.combinations(FILTERS, n)]
    for i, names in enumerate(combinations):
        for page in ("", OTHER_PAGES[i % len(OTHER_PAGES)]):
            parts = [FILTERS[name] for name in names] + ([page] if page else [])
            yield f"{library.url}?{'&'.join(parts)}"


def assert_same_count_everywhere(client, library):
    client.get(library.url)  # warm the site-root cache, as any running site has
    reference, _ = count_queries(client, library.url)
    counts = {}
    for url in all_urls(library):
        counts[url] = count_queries(client, url)[0]
    # A search asks the search backend once; its ranking is then kept until the site changes.
    differing = {
        url: n
        for url, n in counts.items()
        if not (n == reference or ("?q=" in url or "&q=" in url) and n == reference + 1)
    }
    assert not differing, (
        f"reference {reference} queries (one more for a search not ranked yet); these differ: {differing}"
    )
    return reference


def test_query_count_is_the_same_for_every_filter_combination_and_page(client, big_library):
    library = big_library(10_000)
    assert ResourcePage.objects.live().child_of(library).count() == 10_000
    reference = assert_same_count_everywhere(client, library)
    # A fixed, small set: Wagtail's routing (the site, settings, menu, breadcrumbs, tags and view
    # restrictions come from the shared cache) plus the listing's own queries (see library.services).
    assert reference <= 12
    # Results were really filtered and paged (not an empty page every time).
    _, response = count_queries(client, f"{library.url}?type=type-0&topic=topic-1&page=2")
    listing = response.context["listing"]
    assert listing["count"] > 40
    assert len(listing["resources"]) == 20
    _, response = count_queries(client, f"{library.url}?q=toolkit")
    assert response.context["listing"]["count"] == 3


def test_query_count_does_not_grow_with_the_library(client, big_library):
    library = big_library(100)
    small, _ = count_queries(client, library.url + "?topic=topic-1&page=2")
    small, _ = count_queries(client, library.url + "?topic=topic-1&page=2")
    big_library(2_000)
    count_queries(client, library.url + "?topic=topic-1&page=2")  # what a running site has cached again
    large, _ = count_queries(client, library.url + "?topic=topic-1&page=2")
    assert small == large


def test_bulk_created_pages_keep_the_page_tree_valid(big_library):
    from wagtail.models import Page

    library = big_library(300)
    assert all(not problems for problems in Page.find_problems())
    library.refresh_from_db()
    assert library.numchild == 300
    assert library.get_children().count() == 300
    # A page added by an editor afterwards goes after the bulk-created ones.
    added = ResourcePageFactory(parent=library, title="Added later")
    assert library.get_children().last().pk == added.pk
    assert all(not problems for problems in Page.find_problems())
