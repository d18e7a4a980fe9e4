"""The public calendar feed and per-event .ics."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import EventPage

pytestmark = pytest.mark.django_db


def parse(response):
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def by_uid(calendar):
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_feed_contents(client, event_factory, person):
    now = timezone.now()
    upcoming = event_factory(title="Upcoming one")
    follow = event_factory(
        title="Its follow-up",
        follows_up_on=upcoming,
        start=upcoming.start + timedelta(days=180),
        end=upcoming.end + timedelta(days=180),
    )
    past = event_factory(
        title="Long gone", start=now - timedelta(days=10), end=now - timedelta(days=10) + timedelta(hours=1)
    )
    cancelled_recently = event_factory(title="Called off")
    services.cancel_event(cancelled_recently)
    cancelled_long_ago = event_factory(title="Called off long ago")
    services.cancel_event(cancelled_long_ago)
    EventPage.objects.filter(pk=cancelled_long_ago.pk).update(cancelled_at=now - timedelta(days=60))
    draft = event_factory(title="Draft", live=False)
    services.register(upcoming, data=person(email="private@example.org", name="Private Person"))

    response = client.get(reverse("events:feed"))
    assert response.status_code == 200
    calendar = parse(response)
    events = by_uid(calendar)
    assert set(events) == {upcoming.ical_uid, follow.ical_uid, cancelled_recently.ical_uid}
    assert past.ical_uid not in events and draft.ical_uid not in events
    assert events[cancelled_recently.ical_uid]["STATUS"] == "CANCELLED"
    assert events[cancelled_recently.ical_uid]["SEQUENCE"] == 1
    assert events[upcoming.ical_uid]["STATUS"] == "CONFIRMED"
    assert calendar["REFRESH-INTERVAL"] is not None
    assert calendar.refresh_interval == timedelta(hours=6)
    assert calendar["METHOD"] == "PUBLISH"
    assert response.content.count(b"X-WR-CALNAME") == 1
    assert b"X-PUBLISHED-TTL:PT6H" in response.content
    assert str(calendar["UID"]) == "events@coproduction-portal"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    # The VTIMEZONE covers only the events' range, not decades of transitions.
    assert len(calendar.walk("DAYLIGHT")) <= 4
    related = events[follow.ical_uid]["RELATED-TO"]
    assert str(related) == upcoming.ical_uid and related.params["RELTYPE"] == "PARENT"
    child = events[upcoming.ical_uid]["RELATED-TO"]
    assert str(child) == follow.ical_uid and child.params["RELTYPE"] == "CHILD"
    assert events[upcoming.ical_uid].start == upcoming.start
    assert str(events[upcoming.ical_uid].start.tzinfo) == "Europe/London"
    raw = response.content
    assert b"private@example.org" not in raw and b"Private Person" not in raw and b"ATTENDEE" not in raw


def test_feed_answers_304_when_unchanged(client, event_factory):
    event = event_factory()
    event.save_revision().publish()  # as editors do: sets last_published_at
    first = client.get(reverse("events:feed"))
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified
    again = client.get(reverse("events:feed"), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    since = client.get(reverse("events:feed"), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert since.status_code == 304
    services.cancel_event(event)
    changed = client.get(reverse("events:feed"), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert by_uid(parse(changed))[event.ical_uid]["STATUS"] == "CANCELLED"


def test_feed_changes_when_an_event_is_edited(client, event):
    event.save_revision().publish()
    etag = client.get(reverse("events:feed"))["ETag"]
    services.change_event(event, start=event.start + timedelta(hours=2), end=event.end + timedelta(hours=2))
    response = client.get(reverse("events:feed"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert by_uid(parse(response))[event.ical_uid]["SEQUENCE"] == 1


def test_event_ics(client, event):
    response = client.get(reverse("events:event_ics", args=[event.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    calendar = parse(response)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event.ical_uid
    assert vevent.start == event.start
    assert "Step-free route" in str(vevent["DESCRIPTION"])
    # The UID is stable: the same on every download.
    again = parse(client.get(reverse("events:event_ics", args=[event.pk])))
    assert str(again.walk("VEVENT")[0]["UID"]) == event.ical_uid
    event.unpublish()
    assert client.get(reverse("events:event_ics", args=[event.pk])).status_code == 404
