"""Rendering the events index (filtered, paged) and a busy event page with no page cache costs at most 15
queries, the same number at 100 and at 1,000 events (the bench's events and registrations,
events/bench.py), and reads no registration: places left come from the events' `confirmed_seats`.

Each address is requested once first, as on a running site (Wagtail's site root paths in the shared
cache, content types in the process); the page cache is off, so every request renders. Of the 15,
the events' own are 2 on the index (the view restrictions `.public()` reads, then the page of events
with their total) and 1 on an event page (the event, from routing); the rest is every page's
(site, routing, settings, menu, breadcrumbs, feed links)."""

from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import bench
from events.models import EventIndexPage, EventPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

BUDGET = 15


def render(client, url):
    client.get(url)  # what a running site has learnt already
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


def test_renders_cost_the_same_few_queries_at_100_and_1000_events(
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
        client.get(url)
        with django_assert_num_queries(len(small[name]), info=name):
            assert client.get(url).status_code == 200
