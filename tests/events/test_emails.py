"""Every e-mail: HTML and text, and its calendar file parsed back with icalendar."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from events import services
from events.models import Registration

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def online_event(event_factory):
    # 10:00 London time in July is 09:00 UTC (BST): a wrong zone would show up in the times.
    start = datetime(2030, 7, 1, 10, 0, tzinfo=LONDON)
    return event_factory(
        title="Planning workshop",
        start=start,
        end=start + timedelta(hours=2),
        capacity=1,
        format="hybrid",
        joining_details="https://meet.example.org/secret-room",
    )


def calendar_parts(message):
    """(method parameter, parsed Calendar) for each text/calendar MIME part of a sent message."""
    found = []
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            found.append((part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True))))
    return found


def only_message_to(email):
    messages = [m for m in mail.outbox if m.to == [email]]
    assert len(messages) == 1, [m.subject for m in messages]
    return messages[0]


def check_calendar(message, event, method, sequence):
    parts = calendar_parts(message)
    assert len(parts) == 1
    mime_method, calendar = parts[0]
    assert mime_method == method
    assert calendar["METHOD"] == method
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event.ical_uid
    assert vevent["SEQUENCE"] == sequence
    assert vevent.start == event.start and vevent.end == event.end
    assert str(vevent.start.tzinfo) == "Europe/London"
    assert vevent.start.hour == event.local_start.hour
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert vevent.get("DTSTAMP") is not None
    return vevent


def html_and_text(message):
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html, message.body


def test_confirmation_has_request_with_joining_details(
    online_event, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reg = services.register(online_event, data=person(email="ana@example.org", name="Ana")).registration
    message = only_message_to("ana@example.org")
    assert message.subject == "Your place is confirmed: Planning workshop"
    html, text = html_and_text(message)
    assert "https://meet.example.org/secret-room" in text and "secret-room" in html
    assert "/events/manage/" in text and "/events/manage/" in html
    assert "Monday 1 July 2030, 10:00" in text
    vevent = check_calendar(message, online_event, "REQUEST", 0)
    assert "secret-room" in str(vevent["DESCRIPTION"])
    assert str(vevent["ATTENDEE"]) == "mailto:ana@example.org"
    assert reg.status == "confirmed"


def test_waiting_list_email_has_no_calendar_or_link(online_event, person, django_capture_on_commit_callbacks):
    services.register(online_event, data=person())
    with django_capture_on_commit_callbacks(execute=True):
        services.register(online_event, data=person(email="wait@example.org"))
    message = only_message_to("wait@example.org")
    assert message.subject.startswith("You are on the waiting list")
    html, text = html_and_text(message)
    assert "secret-room" not in text and "secret-room" not in html
    assert calendar_parts(message) == []


def test_promoted_and_your_cancellation(online_event, person, django_capture_on_commit_callbacks):
    first = services.register(online_event, data=person(email="first@example.org")).registration
    services.register(online_event, data=person(email="second@example.org"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(first)
    cancelled = only_message_to("first@example.org")
    assert cancelled.subject.startswith("Your place is cancelled")
    vevent = check_calendar(cancelled, online_event, "CANCEL", 0)
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    assert "secret-room" not in cancelled.body
    promoted = only_message_to("second@example.org")
    assert promoted.subject.startswith("Good news")
    assert "secret-room" in promoted.body
    check_calendar(promoted, online_event, "REQUEST", 0)


def test_event_changed_same_uid_higher_sequence(online_event, person, django_capture_on_commit_callbacks):
    online_event.save_revision().publish()
    services.register(online_event, data=person(email="conf@example.org"))
    services.register(online_event, data=person(email="wait@example.org"))
    mail.outbox.clear()
    uid = online_event.ical_uid
    with django_capture_on_commit_callbacks(execute=True):
        services.change_event(
            online_event,
            start=online_event.start + timedelta(hours=1),
            end=online_event.end + timedelta(hours=1),
        )
    assert online_event.ical_uid == uid
    changed = only_message_to("conf@example.org")
    assert changed.subject == "Changed: Planning workshop"
    vevent = check_calendar(changed, online_event, "REQUEST", 1)
    assert vevent.start.hour == 11
    waiting = only_message_to("wait@example.org")
    assert waiting.subject == "Changed: Planning workshop"
    assert calendar_parts(waiting) == []


def test_event_cancelled_is_method_cancel(online_event, person, django_capture_on_commit_callbacks):
    services.register(online_event, data=person(email="conf@example.org"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(online_event)
    online_event.refresh_from_db()
    message = only_message_to("conf@example.org")
    assert message.subject == "Cancelled: Planning workshop"
    vevent = check_calendar(message, online_event, "CANCEL", 1)
    assert vevent["STATUS"] == "CANCELLED"
    html, text = html_and_text(message)
    assert "has been cancelled" in text and "has been cancelled" in html


def test_reminder_has_request(event_factory, person):
    from django.utils import timezone

    start = (timezone.now() + timedelta(hours=5)).replace(microsecond=0)
    event = event_factory(start=start, end=start + timedelta(hours=1))
    services.register(event, data=person(email="soon@example.org"))
    mail.outbox.clear()
    services.send_due_reminders()
    message = only_message_to("soon@example.org")
    assert message.subject.startswith("Reminder:")
    check_calendar(message, event, "REQUEST", 0)
    assert Registration.objects.get(email="soon@example.org").reminder_sent_at is not None


def test_manage_link_email_for_duplicates(online_event, person, django_capture_on_commit_callbacks):
    data = person(email="dup@example.org")
    services.register(online_event, data=data)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.AlreadyRegistered):
        services.register(online_event, data=data)
    message = only_message_to("dup@example.org")
    assert message.subject.startswith("Your link to manage your place")
    assert calendar_parts(message) == []


def test_text_in_calendar_is_escaped_and_folded(event_factory, person, django_capture_on_commit_callbacks):
    event = event_factory(title="Workshop; with, commas\r\nBEGIN:VEVENT", summary="x" * 300)
    with django_capture_on_commit_callbacks(execute=True):
        services.register(event, data=person(email="esc@example.org"))
    message = only_message_to("esc@example.org")
    ((_, calendar),) = calendar_parts(message)
    assert len(calendar.walk("VEVENT")) == 1
    raw = calendar.to_ical()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
