"""The events index's listing (events/listing.py) agrees with its SQL definition, `EventFilter.qs`, for
random query strings over events of every kind: the same events in the same order, the same totals.
And the kept rows follow every write: a registration, a cancellation, an edit, unpublishing, a view
restriction, a cancelled event."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.choices import EventStatus, EventType, Format
from events.factories import EventPageFactory, RegistrationFactory
from events.filters import EventFilter
from events.listing import event_rows, matching_rows
from events.models import Registration

TYPES = [EventType.WORKSHOP, EventType.TRAINING, EventType.SOCIAL]
FORMATS = [Format.IN_PERSON, Format.ONLINE]


@pytest.fixture
def events(event_index, home_page):
    """Thirty events a day or more apart from now (never at the boundary), past and upcoming, with and
    without a limit, full, nearly full and cancelled, late in the evening (the date lookups use the
    site's time zone), plus a draft and an event of another index."""
    now = timezone.now().replace(microsecond=0)
    made = []
    for i in range(30):
        start = now + timedelta(days=(i % 10) * 3 - 13, hours=(i * 5) % 24)
        if i in (7, 8):
            start = made[-1].start  # ties on the start
        event = EventPageFactory(
            parent=event_index,
            title=f"Event {i}",
            slug=f"event-{i}",
            event_type=TYPES[i % 3],
            format=FORMATS[i % 2],
            start=start,
            end=start + timedelta(hours=2),
            capacity=None if i % 4 == 0 else 2 + i % 3,
        )
        made.append(event)
        for n in range(i % 5):
            RegistrationFactory(
                event=event,
                seats=1 + n % 2,
                status=[Registration.Status.CONFIRMED, Registration.Status.WAITING][n % 3 == 2],
            )
        if i % 9 == 5:
            EventPageFactory._meta.model.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    EventPageFactory(parent=event_index, title="Draft", slug="draft", live=False)
    from events.factories import EventIndexPageFactory

    other = EventIndexPageFactory(parent=home_page, title="Other events", slug="other-events")
    EventPageFactory(parent=other, title="Elsewhere", slug="elsewhere")
    return event_index


def dates():
    today = timezone.localdate()
    return st.integers(-16, 30).map(lambda days: (today + timedelta(days=days)).isoformat())


queries = st.fixed_dictionaries(
    {},
    optional={
        "when": st.sampled_from(["upcoming", "past", "someday"]),
        "event_type": st.sampled_from([*TYPES, "not-a-type", ""]),
        "format": st.sampled_from([*FORMATS, "hybrid", "x"]),
        "date_from": st.one_of(dates(), st.just("not-a-date")),
        "date_to": dates(),
        "places_available": st.sampled_from(["on", "", "false"]),
    },
)


def assert_agrees_with_sql(index, params):
    event_filter = EventFilter(params or None, queryset=index.events(), request=None)
    expected = list(event_filter.qs.values_list("pk", flat=True))
    got = [row.pk for row in matching_rows(event_rows(index), event_filter)]
    assert got == expected
    return got


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, zone=st.sampled_from(["Europe/London", "Pacific/Auckland", "America/Los_Angeles"]))
def test_the_rows_agree_with_sql_for_any_query_string(events, query, zone):
    params = QueryDict(mutable=True)
    params.update(query)
    with timezone.override(zone):  # dates are the site's: late evening in one zone is tomorrow in another
        assert_agrees_with_sql(events, params)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "places_available=on",
        "when=past",
        "when=past&places_available=on",
        "event_type=training&format=online",
    ],
)
def test_the_rows_agree_with_sql_for_chosen_query_strings(events, query):
    assert_agrees_with_sql(events, QueryDict(query))


def test_the_rows_follow_every_write(events, settings):
    settings.PAGE_CACHE_ENABLED = True
    from events.models import EventPage

    full = EventPage.objects.get(slug="event-6")  # upcoming, 2 places, 1 taken
    params = QueryDict("places_available=on")
    assert full.pk in assert_agrees_with_sql(events, params)

    # A registration fills it, a cancellation frees it again.
    taken = Registration.objects.filter(event=full).confirmed_seats()
    last = RegistrationFactory(event=full, seats=full.capacity - taken)
    assert full.pk not in assert_agrees_with_sql(events, params)
    last.status = Registration.Status.CANCELLED
    last.save()
    assert full.pk in assert_agrees_with_sql(events, params)

    # An edit that moves it to another type, then unpublishing it.
    full.event_type = EventType.SOCIAL
    full.save_revision().publish()
    assert full.pk in assert_agrees_with_sql(events, QueryDict("event_type=social"))
    full.unpublish()
    assert full.pk not in assert_agrees_with_sql(events, QueryDict(""))

    # A view restriction hides an event from the public listing.
    from wagtail.models import PageViewRestriction

    other = EventPage.objects.get(slug="event-9")  # upcoming
    assert other.pk in assert_agrees_with_sql(events, QueryDict(""))
    PageViewRestriction.objects.create(page=other, restriction_type=PageViewRestriction.LOGIN)
    assert other.pk not in assert_agrees_with_sql(events, QueryDict(""))


def test_an_event_index_page_reads_no_event_once_its_rows_and_cards_are_kept(
    client, events, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_ENABLED = False  # every request renders; rows, cards and the page are kept
    first = client.get(events.url + "?places_available=on").text
    with django_assert_num_queries(0):
        again = client.get(events.url + "?places_available=on").text
    assert again == first


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
def test_dates_are_the_sites_not_utcs(events, zone):
    """An event late in the evening falls on another day in another zone: the date filters use the
    site's (as the SQL `start__date` lookup does)."""
    from datetime import UTC

    from events.models import EventPage

    with timezone.override(zone):
        boundary = [
            timezone.localtime(event.start).date()
            for event in EventPage.objects.child_of(events).live()
            if timezone.localtime(event.start).date() != event.start.astimezone(UTC).date()
        ]
        assert boundary  # the fixture has such events
        for day in boundary:
            for field in ("date_from", "date_to"):
                for when in ("upcoming", "past"):
                    assert_agrees_with_sql(events, QueryDict(f"{field}={day.isoformat()}&when={when}"))


def test_filter_forms_are_built_from_one_form_class_and_never_share_state():
    """portal.filtersets.FixedFilterSet: one form class per filter set, a fresh form per request."""
    first = EventFilter(QueryDict("event_type=training"), queryset=_events_none())
    second = EventFilter(QueryDict("event_type=not-a-type"), queryset=_events_none())
    assert type(first.form) is type(second.form)
    assert first.form.is_valid() and not second.form.is_valid()
    assert first.form.cleaned_data["event_type"] == "training"
    assert second.form.fields["event_type"] is not first.form.fields["event_type"]


def _events_none():
    from events.models import EventPage

    return EventPage.objects.none()
