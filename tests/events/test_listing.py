"""The events index: `EventFilter.qs` in SQL, paged; the places filter compares the `confirmed_seats`
column with the capacity; the page tells the page cache the normalised query it rendered."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from events import services
from events.filters import EventFilter
from events.models import EventIndexPage, EventPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(event_factory):
    """25 upcoming events a day apart (Event 0 first) and one past event."""
    now = timezone.now().replace(microsecond=0)
    made = []
    for i in range(25):
        start = now + timedelta(days=i + 1)
        made.append(event_factory(title=f"Event {i}", start=start, end=start + timedelta(hours=2)))
    past = now - timedelta(days=3)
    event_factory(title="Long gone", start=past, end=past + timedelta(hours=1))
    return made


def titles(response):
    return [event.title for event in response.context["events"]]


def test_the_index_pages_twenty_events_at_a_time(client, event_index, many):
    first = client.get(event_index.url)
    assert titles(first) == [f"Event {i}" for i in range(20)]
    assert first.context["events"].paginator.count == 25
    second = client.get(event_index.url + "?page=2")
    assert titles(second) == [f"Event {i}" for i in range(20, 25)]
    for wrong in ("abc", "99", "0"):
        assert titles(client.get(event_index.url + f"?page={wrong}")) == titles(first)
    assert titles(client.get(event_index.url + "?when=past")) == ["Long gone"]


def test_places_left_come_from_the_column(client, event_index, event_factory, person):
    event = event_factory(title="Small workshop", capacity=3)
    services.register(event, data=person(brings_carer=True))
    assert "1 of 3 places left" in client.get(event.url).text
    assert "1 place left" in client.get(event_index.url).text
    assert "Small workshop" in client.get(event_index.url + "?places_available=on").text
    services.register(event, data=person())
    assert "Small workshop" not in client.get(event_index.url + "?places_available=on").text
    assert "Full: you can join the waiting list" in client.get(event.url).text
    assert "Full: waiting list open" in client.get(event_index.url).text

    unlimited = event_factory(title="Open workshop", capacity=None)
    cancelled = event_factory(title="Called-off workshop", capacity=10)
    services.cancel_event(cancelled)
    shown = client.get(event_index.url + "?places_available=on").text
    assert "Open workshop" in shown and "Called-off workshop" not in shown
    assert unlimited.confirmed_seats == 0


def test_the_places_filter_is_one_comparison_of_columns(event_index):
    sql = str(EventFilter(QueryDict("places_available=on"), queryset=event_index.events()).qs.query)
    assert '"confirmed_seats"' in sql and "events_registration" not in sql


@pytest.mark.parametrize(
    ("query", "pairs"),
    [
        ("", []),
        ("when=upcoming&event_type=&format=&places_available=", []),
        ("when=past", [("when", "past")]),
        ("when=someday&event_type=training", [("event_type", "training")]),
        ("event_type=not-a-type&format=online", [("format", "online")]),
        ("date_from=2031-02-03&date_to=not-a-date", [("date_from", "2031-02-03")]),
        ("places_available=on&page=3", [("places_available", "on")]),
        ("places_available=false", []),
    ],
)
def test_the_filter_names_the_valid_values_it_applied(query, pairs):
    assert EventFilter(QueryDict(query) or None, queryset=EventPage.objects.none()).query_pairs() == pairs


def test_the_index_names_its_query_parameters():
    assert set(EventIndexPage.cache_query_params) == {
        "when",
        "event_type",
        "format",
        "date_from",
        "date_to",
        "places_available",
        "page",
    }
    assert EventPage.cache_query_params == ("already",)


def test_the_page_cache_keeps_a_copy_per_valid_query_and_none_for_wrong_ones(client, event_index, many):
    def how(query):
        return client.get(event_index.url + query).get("X-Page-Cache")  # None: rendered, not stored

    for query in ("", "?places_available=on&event_type=workshop", "?when=past", "?page=2"):
        assert how(query) == "miss", query
        assert how(query) == "hit", query
    # The same filters in another order, or with page 1 spelled out: the same copy.
    assert how("?event_type=workshop&places_available=on") == "hit"
    assert how("?page=1") == "hit"
    # Values that filter nothing, and a page that does not exist, are rendered every time.
    for query in ("?event_type=not-a-type", "?page=99", "?when=upcoming"):
        assert how(query) is None, query
        assert how(query) is None, query


def test_a_registration_shows_on_the_cached_index_and_its_filtered_copies(client, event_index, event, person):
    assert "3 places left" in client.get(event_index.url).text
    assert event.title in client.get(event_index.url + "?places_available=on").text
    for _ in range(3):
        services.register(event, data=person())
    assert "Full" in client.get(event_index.url).text
    assert event.title not in client.get(event_index.url + "?places_available=on").text


def test_filter_forms_are_built_from_one_form_class_and_never_share_state():
    """portal.filtersets.FixedFilterSet: one form class per filter set, a fresh form per request."""
    first = EventFilter(QueryDict("event_type=training"), queryset=EventPage.objects.none())
    second = EventFilter(QueryDict("event_type=not-a-type"), queryset=EventPage.objects.none())
    assert type(first.form) is type(second.form)
    assert first.form.is_valid() and not second.form.is_valid()
    assert first.form.cleaned_data["event_type"] == "training"
    assert second.form.fields["event_type"] is not first.form.fields["event_type"]


def test_public_events_are_wagtails_public_pages_read_in_one_query(
    home_page, event_index, event_factory, django_assert_num_queries
):
    from wagtail.models import PageViewRestriction
    from wagtail.query import PageQuerySet

    from events.factories import EventIndexPageFactory

    events = [event_factory(title=f"Event {i}") for i in range(3)]
    elsewhere = EventIndexPageFactory(parent=home_page, title="Elsewhere", slug="elsewhere")

    def public():
        ours = set(EventPage.objects.live().public().values_list("pk", flat=True))
        assert ours == set(PageQuerySet.public(EventPage.objects.live()).values_list("pk", flat=True))
        return ours

    assert public() == {event.pk for event in events}
    PageViewRestriction.objects.create(page=events[1], restriction_type=PageViewRestriction.LOGIN)
    PageViewRestriction.objects.create(page=elsewhere, restriction_type=PageViewRestriction.LOGIN)
    assert public() == {events[0].pk, events[2].pk}
    PageViewRestriction.objects.create(page=event_index, restriction_type=PageViewRestriction.PASSWORD)
    assert public() == set()
    with django_assert_num_queries(1):
        list(EventPage.objects.live().public())
