"""Events findings of the hostile pass: carer data outlived the purge, personal cancellations sent
calendar files saying STATUS:CONFIRMED, and the demo's Editors could not cancel an event."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from events import services
from events.admin_views import access_summary
from events.models import EventPage, Registration
from events.signing import make_manage_token

pytestmark = pytest.mark.django_db


# --- The access-needs purge -----------------------------------------------------------------------


def test_purge_removes_carer_details_and_keeps_the_seat_count(event, person):
    registration = services.register(
        event,
        data=person(
            brings_carer=True, carer_name="Pat Assistant", access_needs=["bsl"], dietary_needs="Vegan"
        ),
    ).registration
    assert "Carer or PA" in dict(access_summary([registration]))
    assert services.purge_access_needs(now=event.end + timedelta(days=2)) == 1
    registration.refresh_from_db()
    assert (registration.brings_carer, registration.carer_name) == (False, "")
    assert registration.access_needs == [] and registration.dietary_needs == ""
    assert registration.seats == 2, "the event's past seat count stays as it was"
    assert event.seat_counts()["confirmed_seats"] == 2
    assert dict(access_summary([registration])) == {}


def test_purged_carer_is_gone_from_the_attendees_page_and_csv(client, event, person, coordinator):
    services.register(event, data=person(name="Ann Attendee", brings_carer=True, carer_name="Pat Assistant"))
    services.purge_access_needs(now=event.end + timedelta(days=2))
    client.force_login(coordinator)
    page = client.get(reverse("events_admin:attendees", args=[event.pk])).text
    export = client.get(reverse("events_admin:attendees_csv", args=[event.pk]), follow=True)
    csv = b"".join(export.streaming_content).decode()
    assert "Ann Attendee" in csv
    for text in (page, csv):
        assert "Pat Assistant" not in text
    assert "× Carer or PA" not in page
    assert "Nobody has asked for anything yet." in page


# --- Calendar files in cancellation e-mails -------------------------------------------------------


def cancel_calendars():
    """(STATUS, SEQUENCE) of the VEVENT in every METHOD:CANCEL calendar sent."""
    found = []
    for message in mail.outbox:
        for part in message.message().walk():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_payload(decode=True))
                if calendar["METHOD"] == "CANCEL":
                    assert part.get_param("method") == "CANCEL"
                    (vevent,) = calendar.walk("VEVENT")
                    found.append(str(vevent["STATUS"]))
    return found


def test_every_cancel_calendar_says_cancelled(
    client, event_factory, person, django_capture_on_commit_callbacks
):
    event = event_factory(capacity=10)
    people = [services.register(event, data=person()).registration for _ in range(4)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(people[0])  # by the service
        client.post(reverse("events:manage_cancel", args=[make_manage_token(people[1])]))
    assert Registration.objects.filter(status=Registration.Status.CANCELLED).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event)  # the two left are told the event is off
    assert cancel_calendars() == ["CANCELLED"] * 4


def test_a_confirmed_place_still_gets_a_confirmed_request(event, person, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.register(event, data=person())
    (message,) = mail.outbox
    parts = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(parts[0].get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"


# --- Editors cancel events ------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("load_demo_data", stdout=StringIO())
    from accounts.models import User

    event = EventPage.objects.filter(status=EventPage.Status.SCHEDULED, live=True).order_by("start").last()
    return {
        email.split("@")[0]: User.objects.get(email=email)
        for email in User.objects.values_list("email", flat=True)
        if email and email.endswith("@example.org")  # the demo has a contributor without e-mail
    } | {"event": event}


def test_the_demo_editor_cancels_an_event(client, demo, django_capture_on_commit_callbacks):
    event = demo["event"]
    url = reverse("events_admin:cancel_event", args=[event.pk])
    client.force_login(demo["editor"])
    listing = client.get(reverse("wagtailadmin_explore", args=[event.get_parent().pk])).text
    assert url in listing, "the explorer offers Editors a Cancel event button"
    page = client.get(url)
    assert page.status_code == 200 and "Yes, cancel this event" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled


@pytest.mark.parametrize("who", ["contributor", "coordinator"])
def test_other_demo_roles_cannot_cancel(client, demo, who):
    event = demo["event"]
    client.force_login(demo[who])
    response = client.post(reverse("events_admin:cancel_event", args=[event.pk]))
    assert response.status_code in (302, 403)
    event.refresh_from_db()
    assert not event.is_cancelled


def test_cancelling_is_checked_by_permission_not_group(client, event, user_factory):
    staff = user_factory(email="no-group@example.org", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    url = reverse("events_admin:cancel_event", args=[event.pk])
    client.force_login(staff)
    assert client.get(url).status_code in (302, 403)
    staff.user_permissions.add(Permission.objects.get(codename="cancel_event"))
    client.force_login(staff)
    assert client.get(url).status_code == 200
    client.post(url)
    event.refresh_from_db()
    assert event.is_cancelled
