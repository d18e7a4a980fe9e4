"""Bench data for events: 1,000 events and 50,000 registrations; the feed, the index and a busy event page.

Pages need tree paths, so events are added one by one (no revisions, no e-mails); registrations, the bulk
of the data, go in with bulk_create. Idempotent: only what is missing is created.
"""

from datetime import timedelta

from portal.cache import purge

EVENTS = 1_000
REGISTRATIONS = 50_000
PREFIX = "bench-event-"
BATCH = 5_000


def _index():
    from home.models import HomePage

    from .demo import build_index
    from .models import EventIndexPage

    return EventIndexPage.objects.first() or build_index(HomePage.objects.first())


def _add_event(index, i, now, provisions, types, formats):
    from .models import EventPage

    # A third in the past, the rest spread over the next two years.
    start = now + timedelta(days=(i % 3 - 1) * 200 + i // 3 % 200, hours=i % 8)
    event = EventPage(
        title=f"Bench event {i}",
        slug=f"{PREFIX}{i}",
        summary="A bench event to measure listings, pages and the calendar feed.",
        event_type=types[i % len(types)],
        format=formats[i % len(formats)],
        start=start,
        end=start + timedelta(hours=2),
        venue_name="Bench Hall",
        venue_address="1 Bench Road\nBristol",
        capacity=None if i % 5 == 0 else 60,
        access_provisions=provisions[: i % len(provisions)],
        expenses_covered="Travel and carers, at cost.",
        contact_phone="0117 496 0000",
        live=True,
        first_published_at=now,
        last_published_at=now,
    )
    index.add_child(instance=event)


def setup(stdout):
    from django.db import transaction
    from django.utils import timezone

    from .models import AccessProvision, EventPage, Registration

    index = _index()
    have = EventPage.objects.filter(slug__startswith=PREFIX).count()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    provisions = list(AccessProvision.values)
    types = list(EventPage.EventType.values)
    formats = list(EventPage.Format.values)
    for first in range(have, EVENTS, 100):
        # One transaction per hundred pages: far fewer commits, and an interrupted run keeps what it made.
        with transaction.atomic():
            for i in range(first, min(first + 100, EVENTS)):
                _add_event(index, i, now, provisions, types, formats)
    if have < EVENTS:
        stdout.write(f"  events: created {EVENTS - have} bench events\n")

    events = list(
        EventPage.objects.filter(slug__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)
    )
    existing = Registration.objects.filter(event_id__in=events).count()
    if existing >= REGISTRATIONS:
        stdout.write(f"  events: {existing} bench registrations already present\n")
        return
    statuses = [Registration.Status.CONFIRMED] * 6 + [
        Registration.Status.WAITING,
        Registration.Status.CANCELLED,
    ]
    batch = []
    for n in range(existing, REGISTRATIONS):
        # Registration n goes to event n % EVENTS; e-mails are unique per event by construction.
        batch.append(
            Registration(
                event_id=events[n % len(events)],
                name=f"Bench person {n}",
                email=f"bench{n}@example.org",
                status=statuses[n % len(statuses)],
                access_needs=provisions[: n % 3],
                dietary_needs="Vegetarian" if n % 7 == 0 else "",
                created_at=now - timedelta(minutes=n),
            )
        )
        if len(batch) >= BATCH:
            Registration.objects.bulk_create(batch)
            batch = []
    if batch:
        Registration.objects.bulk_create(batch)
    # bulk_create goes past the services and sends no model signal: count the seats as they would, and
    # purge the whole site (the events, their index and home show places).
    EventPage.objects.filter(pk__in=events).recount_confirmed_seats()
    purge("*")
    stdout.write(f"  events: created {REGISTRATIONS - existing} bench registrations\n")


def _busy_event_path():
    from .models import EventPage

    event = EventPage.objects.filter(slug=f"{PREFIX}1").first()
    return event.url if event else "/events/"


def scenarios():
    index = _index()
    return [
        {"name": "events: calendar feed", "path": "/events/feed.ics"},
        {"name": "events: index (upcoming)", "path": index.url},
        {"name": "events: index, places available filter", "path": index.url + "?places_available=on"},
        {"name": "events: event page (50 registrations)", "path": _busy_event_path()},
    ]


def measurements():
    def feed_uncached():
        from django.core.cache import cache
        from django.test import RequestFactory

        from .views import feed

        cache.clear()
        response = feed(RequestFactory().get("/events/feed.ics", HTTP_HOST="localhost"))
        assert response.status_code == 200

    return [("events: feed built from scratch (no cache)", feed_uncached)]
