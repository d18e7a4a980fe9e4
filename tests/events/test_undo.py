"""Undoing a cancellation: the place comes back only while its seat is free; never at the cost of someone
the cancellation promoted; otherwise the waiting list is offered. And the pages around it: the question
before cancelling, the undo, the offer, the waiting-list position, "You're booked"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import EventPage, Registration
from events.signing import make_manage_token

pytestmark = pytest.mark.django_db


def seats_column(event):
    return EventPage.objects.values_list("confirmed_seats", flat=True).get(pk=event.pk)


def status(registration):
    registration.refresh_from_db()
    return registration.status


def test_undo_restores_the_place_while_the_seat_is_free(event, person):
    ana = services.register(event, data=person(brings_carer=True)).registration
    services.cancel_registration(ana)
    assert seats_column(event) == 0
    restored = services.undo_cancellation(ana)
    assert restored.status == "confirmed" and restored.cancelled_at is None
    assert seats_column(event) == 2
    # A double click changes nothing more.
    assert services.undo_cancellation(ana).status == "confirmed"
    assert seats_column(event) == 2


def test_undo_never_takes_the_seat_of_someone_promoted(event_factory, person):
    event = event_factory(capacity=1, waiting_list_enabled=True)
    ana = services.register(event, data=person()).registration
    ben = services.register(event, data=person()).registration
    assert status(ben) == "waiting"
    services.cancel_registration(ana)
    assert status(ben) == "confirmed"  # promoted by the cancellation
    with pytest.raises(services.SeatTaken) as refused:
        services.undo_cancellation(ana)
    assert refused.value.waiting_list is True and "waiting list" in str(refused.value)
    assert status(ana) == "cancelled" and status(ben) == "confirmed" and seats_column(event) == 1
    # Offered the waiting list, the person joins its back.
    cai = services.register(event, data=person()).registration
    joined = services.undo_cancellation(ana, join_waiting_list=True)
    assert joined.status == "waiting" and joined.confirmed_at is None
    assert cai.waiting_position() == 1 and joined.waiting_position() == 2
    assert status(ben) == "confirmed" and seats_column(event) == 1


def test_undo_when_a_newcomer_took_the_seat_and_there_is_no_waiting_list(event_factory, person):
    event = event_factory(capacity=1, waiting_list_enabled=False)
    ana = services.register(event, data=person()).registration
    services.cancel_registration(ana)
    dev = services.register(event, data=person()).registration
    for join in (False, True):
        with pytest.raises(services.SeatTaken) as refused:
            services.undo_cancellation(ana, join_waiting_list=join)
        assert refused.value.waiting_list is False
    assert status(ana) == "cancelled" and status(dev) == "confirmed" and seats_column(event) == 1


def test_a_carer_seat_given_away_means_the_party_no_longer_fits(event_factory, person):
    event = event_factory(capacity=2, waiting_list_enabled=True)
    ana = services.register(event, data=person(brings_carer=True)).registration
    ben = services.register(event, data=person()).registration
    services.cancel_registration(ana)
    assert status(ben) == "confirmed"  # one of the two seats; one is still free
    with pytest.raises(services.SeatTaken):
        services.undo_cancellation(ana)
    assert seats_column(event) == 1


def test_leaving_the_waiting_list_is_undone_to_the_same_position(event_factory, person):
    event = event_factory(capacity=1, waiting_list_enabled=True)
    services.register(event, data=person())
    first, second, third = (services.register(event, data=person()).registration for _ in range(3))
    assert [r.waiting_position() for r in (first, second, third)] == [1, 2, 3]
    services.cancel_registration(second)
    second.refresh_from_db()
    third.refresh_from_db()
    assert third.waiting_position() == 2 and second.waiting_position() is None
    back = services.undo_cancellation(second)
    third.refresh_from_db()
    assert back.status == "waiting" and back.waiting_position() == 2 and third.waiting_position() == 3
    assert seats_column(event) == 1


def test_undo_is_refused_once_too_late(event_factory, person):
    event = event_factory(capacity=3)
    ana = services.register(event, data=person()).registration
    services.cancel_registration(ana)
    ana.refresh_from_db()
    later = ana.cancelled_at + timedelta(hours=25)
    assert ana.can_undo_cancellation() and not ana.can_undo_cancellation(later)
    with pytest.raises(services.RegistrationRefused, match="too late"):
        services.undo_cancellation(ana, now=later)
    assert status(ana) == "cancelled"
    # Never after the whole event was cancelled.
    services.cancel_event(event)
    ana.refresh_from_db()
    assert ana.undo_until() is None
    with pytest.raises(services.RegistrationRefused):
        services.undo_cancellation(ana)


def test_undo_ends_when_registration_closes(event_factory, person):
    closes = timezone.now() + timedelta(hours=2)
    event = event_factory(capacity=3, registration_closes_at=closes)
    ana = services.register(event, data=person()).registration
    services.cancel_registration(ana)
    ana.refresh_from_db()
    assert ana.undo_until() == closes


def test_undo_e_mails_the_restored_place(event, person, django_capture_on_commit_callbacks):
    ana = services.register(event, data=person()).registration
    services.cancel_registration(ana)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.undo_cancellation(ana)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("Your place is back")
    calendars = [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]
    assert [part.get_param("method") for part in calendars] == ["REQUEST"]


def manage_url(registration):
    return reverse("events:manage", args=[make_manage_token(registration)])


def test_cancel_asks_first_then_offers_the_undo(client, event, person):
    ana = services.register(event, data=person(brings_carer=True)).registration
    url = manage_url(ana)
    page = client.get(url).text
    assert 'href="' + url + 'cancel/"' in page and 'value="cancel"' not in page
    asked = client.get(url + "cancel/")
    assert asked.status_code == 200 and "Are you sure you want to cancel your place?" in asked.text
    assert "Yes, cancel my place" in asked.text and f'href="{url}"' in asked.text
    assert status(ana) == "confirmed"
    response = client.post(url + "cancel/")
    assert response.status_code == 302 and status(ana) == "cancelled"
    page = client.get(url).text
    assert "has been cancelled" in page and "Undo: keep my place" in page
    assert "<dt>Seats</dt>" not in page
    # Asking again once cancelled only leads back.
    assert client.get(url + "cancel/").url == url
    assert client.get(url + "undo/").url == url  # a GET changes nothing
    response = client.post(url + "undo/")
    assert response.status_code == 302 and status(ana) == "confirmed"
    page = client.get(url).text
    assert "Your place is back" in page and "<dt>Seats</dt><dd>2" in page


def test_undo_page_offers_the_waiting_list_when_the_seat_has_gone(client, event_factory, person):
    event = event_factory(capacity=1, waiting_list_enabled=True)
    ana = services.register(event, data=person()).registration
    ben = services.register(event, data=person()).registration
    url = manage_url(ana)
    client.post(url + "cancel/")
    assert status(ben) == "confirmed"
    response = client.post(url + "undo/")
    assert response.status_code == 409
    assert "Someone else has your seat now" in response.text and "Join the waiting list" in response.text
    assert status(ana) == "cancelled"
    response = client.post(url + "undo/", {"waiting_list": "1"})
    assert response.status_code == 302 and status(ana) == "waiting" and status(ben) == "confirmed"
    page = client.get(url).text
    assert "number 1" in page.lower() and "Waiting-list position" in page


def test_the_manage_page_shows_the_waiting_list_position_and_uk_time(client, event_factory, person):
    event = event_factory(capacity=0, waiting_list_enabled=True)
    regs = [services.register(event, data=person()).registration for _ in range(3)]
    page = client.get(manage_url(regs[2]) + "?new=waiting").text
    assert "waiting list (number 3)" in page and "Number 3" in page
    assert "(UK time)" in page and "Europe/London" not in page
    assert "<dt>Seats needed</dt>" in page


def test_a_signed_in_member_with_a_place_is_not_given_the_form_again(client, event, person, user_factory):
    member = user_factory(email="kim@example.org")
    client.force_login(member)
    assert 'name="email"' in client.get(event.url).text
    services.register(event, data=person(email="kim@example.org"), user=member)
    text = client.get(event.url).text
    assert "You're booked" in text and "manage your place" in text and 'name="email"' not in text
    registration = Registration.objects.get(event=event)
    assert 'href="/events/manage/' in text
    # A cancelled place gives the form back.
    services.cancel_registration(registration)
    assert 'name="email"' in client.get(event.url).text


def test_a_cancelled_event_never_says_you_are_booked(client, event, person, user_factory):
    member = user_factory(email="kim@example.org")
    services.register(event, data=person(email="kim@example.org"), user=member)
    services.cancel_event(event)
    client.force_login(member)
    text = client.get(event.url).text
    assert "You're booked" not in text and "This event has been cancelled" in text


def test_a_member_registered_by_e_mail_before_signing_in_is_found(
    client, event_factory, person, user_factory
):
    event = event_factory(capacity=0, waiting_list_enabled=True)
    services.register(event, data=person(email="lee@example.org"))
    client.force_login(user_factory(email="Lee@Example.org"))
    text = client.get(event.url).text
    assert "You're on the waiting list" in text and "(number 1)" in text and 'name="email"' not in text


def test_times_say_uk_time_on_cards_and_the_event_page(client, event_index, event):
    assert "(UK time)" in client.get(event.url).text
    assert "(UK time)" in client.get(event_index.url).text
    assert "Europe/London" not in client.get(event.url).text
