"""A cold render (no page cache, the shared cache flushed before each request, the process warm: as
after a deploy or a purge) of the events index, filtered and paged, and of a busy event page costs at
most 15 queries, the same number at 100 and at 1,000 events (the bench's events and registrations,
events/bench.py), and reads no registration: places left come from the events' `confirmed_seats`.

The events' own queries are one on the index (its page of public events with their total) and one on
an event page (the event, from routing); the rest is every page's (site, routing, view restrictions,
settings, menu, breadcrumbs, feed links)."""

from io import StringIO

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import bench
from events.models import EventIndexPage, EventPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

BUDGET = 15


def flush():
    for cache in caches.all():
        cache.clear()


def render(client, url):
    client.get(url)  # the process warms up (content types, templates), as a running site has
    flush()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in ctx.captured_queries]


def addresses():
    index = EventIndexPage.objects.get()
    busy = EventPage.objects.get(slug=f"{bench.PREFIX}1")
    return {
        "index": index.url,
        "index, places available": index.url + "?places_available=on",
        "index, past workshops": index.url + "?when=past&event_type=workshop",
        "index, page 2 of past events": index.url + "?when=past&page=2",
        "event page": busy.url,
    }


def test_cold_renders_cost_the_same_few_queries_at_100_and_1000_events(
    client, home_page, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(bench, "REGISTRATIONS", 5_000)
    monkeypatch.setattr(bench, "EVENTS", 100)
    bench.setup(StringIO())
    assert EventPage.objects.get(slug=f"{bench.PREFIX}1").registrations.count() == 50
    small = {name: render(client, url) for name, url in addresses().items()}
    for name, queries in small.items():
        assert len(queries) <= BUDGET, (name, queries)
        assert not any("events_registration" in sql for sql in queries), name

    monkeypatch.setattr(bench, "EVENTS", 1_000)
    bench.setup(StringIO())
    assert EventPage.objects.count() == 1_000
    for name, url in addresses().items():
        flush()
        with django_assert_num_queries(len(small[name]), info=name):
            assert client.get(url).status_code == 200
