"""With thousands of resources, rendering the library page (the page cache empty) runs the same number
of SQL queries for every filter combination and page, at most 15, and the same number at 1,000 and at
10,000 resources: nothing queries inside a loop over results or options, nothing reads more rows one
query at a time as the library grows. A search sorted by best match adds its ranking (one query),
whatever else is chosen."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from library.bench import FILTERED
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

# Counts what rendering costs, so the page cache is off.
pytestmark = pytest.mark.usefixtures("no_page_cache")

BUDGET = 15

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
# The bench's three library scenarios (library/bench.py), with the bench's own taxonomy slugs.
SCENARIOS = ["", FILTERED, "q=co-production&topic=power"]


@pytest.fixture
def big_library(library):
    def build(count, types, topics, audiences):
        existing = ResourcePage.objects.child_of(library).count()
        bulk_create_resources(
            library,
            synthetic_specs(count - existing, types=types, topics=topics, audiences=audiences, seed=count),
        )
        # As after any bulk load (see library.demo.refresh_statistics): without planner statistics
        # PostgreSQL expects one resource where there are thousands and picks very slow plans.
        refresh_statistics()
        return library

    return build


@pytest.fixture
def numbered_library(big_library, library):
    types = [ResourceTypeFactory(name=f"Type {i}", slug=f"type-{i}") for i in range(4)]
    topics = [TopicFactory(name=f"Topic {i}", slug=f"topic-{i}") for i in range(6)]
    audiences = [AudienceFactory(name=f"Audience {i}", slug=f"audience-{i}") for i in range(4)]
    # A few indexed resources so that the search has something to find.
    for i in range(3):
        ResourcePageFactory(parent=library, title=f"Community toolkit {i}", summary="A toolkit.")
    return lambda count: big_library(count, types, topics, audiences)


@pytest.fixture
def bench_library(big_library):
    """The demo taxonomy (the bench's filtered query names its slugs), resources indexed for search."""
    from library.demo import build_taxonomy, index_synthetic
    from library.models import Audience, ResourceType, Topic

    build_taxonomy()
    terms = [list(model.objects.order_by("pk")) for model in (ResourceType, Topic, Audience)]

    def build(count):
        library = big_library(count, *terms)
        index_synthetic(library)
        return library

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
            yield names, f"{library.url}?{'&'.join(parts)}"


def test_query_count_is_the_same_for_every_filter_combination_and_page(client, numbered_library):
    library = numbered_library(10_000)
    assert ResourcePage.objects.live().child_of(library).count() == 10_000
    client.get(library.url)  # what any running site has read once (content types, the site's roots)
    reference, _ = count_queries(client, library.url)
    assert reference + 1 <= BUDGET
    differing = {}
    for names, url in all_urls(library):
        n, _ = count_queries(client, url)
        best_match = "q" in names and "sort" not in names
        if n != reference + (1 if best_match else 0):
            differing[url] = n
    assert not differing, f"reference {reference} queries (one more for a best-match search): {differing}"
    # Results were really filtered and paged (not an empty page every time).
    _, response = count_queries(client, f"{library.url}?type=type-0&topic=topic-1&page=2")
    listing = response.context["listing"]
    assert listing["count"] > 40
    assert len(listing["resources"]) == 20
    _, response = count_queries(client, f"{library.url}?q=toolkit")
    assert response.context["listing"]["count"] == 3


def test_query_count_does_not_grow_with_the_library(client, bench_library):
    library = bench_library(1_000)
    urls = [f"{library.url}?{query}" for query in SCENARIOS]
    client.get(library.url)
    small = [count_queries(client, url)[0] for url in urls]
    bench_library(10_000)
    client.get(library.url)  # the growth was a whole-site purge: the process reads the site's settings again
    large = []
    for url in urls:
        n, response = count_queries(client, url)
        assert response.context["listing"]["count"] > 0, url
        large.append(n)
    assert small == large
    assert max(large) <= BUDGET


def test_bulk_created_pages_keep_the_page_tree_valid(numbered_library):
    from wagtail.models import Page

    library = numbered_library(303)
    assert all(not problems for problems in Page.find_problems())
    library.refresh_from_db()
    assert library.numchild == 303
    assert library.get_children().count() == 303
    # A page added by an editor afterwards goes after the bulk-created ones.
    added = ResourcePageFactory(parent=library, title="Added later")
    assert library.get_children().last().pk == added.pk
    assert all(not problems for problems in Page.find_problems())
