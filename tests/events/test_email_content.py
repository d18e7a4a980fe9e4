"""What the registration e-mails say: the time labelled "UK time", what the person asked for (access
needs, carer, dietary needs), what happens next (adjustments deadline, reminder, materials link), the
waiting-list position, and link labels that match the words around them."""

import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core import mail

from events import services

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def workshop(event_factory):
    start = datetime(2030, 7, 1, 10, 0, tzinfo=LONDON)
    return event_factory(
        title="Planning workshop",
        start=start,
        end=start + timedelta(hours=2),
        capacity=2,
        waiting_list_enabled=True,
        access_requests_by=datetime(2030, 6, 17, 17, 0, tzinfo=LONDON),
        materials=[("paragraph", "<p>Read this first.</p>")],
    )


def sent(django_capture_on_commit_callbacks, action):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = action()
    return result, list(mail.outbox)


def bodies(message):
    return message.body, message.alternatives[0][0]


def test_the_confirmation_repeats_what_was_asked_and_what_happens_next(
    workshop, person, django_capture_on_commit_callbacks
):
    data = person(
        name="Ana",
        brings_carer=True,
        carer_name="Sam Carer",
        access_needs=["bsl", "quiet_room"],
        access_needs_other="A chair with arms",
        dietary_needs="Vegan",
    )
    _, (message,) = sent(django_capture_on_commit_callbacks, lambda: services.register(workshop, data=data))
    assert message.subject == "Your place is confirmed: Planning workshop"
    for body in bodies(message):
        assert "Monday 1 July 2030, 10:00 to 12:00 (UK time)" in body
        assert "Europe/London" not in body
        assert "What you told us" in body and "What happens next" in body
        assert "Sam Carer" in body and "2 seats" in body
        assert "BSL interpreters" in body and "Quiet room" in body and "A chair with arms" in body
        assert "Vegan" in body
        assert "Monday 17 June 2030" in body  # the adjustments deadline
        assert "48 hours before the event" in body
        # Absolute links from the Site record: the place's page and its materials.
        assert re.search(r"https?://[^/\s]+/events/manage/[^/\s]+/materials/", body)
        assert re.search(r"https?://[^/\s]+/events/manage/[^/\s]+/[\s\"]", body)
    assert "Open the course materials" in message.alternatives[0][0]


def test_the_confirmation_says_when_nothing_was_asked(workshop, person, django_capture_on_commit_callbacks):
    _, (message,) = sent(
        django_capture_on_commit_callbacks, lambda: services.register(workshop, data=person())
    )
    text, html = bodies(message)
    assert "Just you: 1 seat" in html and "just you: 1 seat" in text
    assert "Access needs: none given" in text and "Dietary needs: none given" in text


def test_the_waiting_list_e_mail_gives_the_position_and_no_materials(
    workshop, person, django_capture_on_commit_callbacks
):
    services.register(workshop, data=person(brings_carer=True))
    services.register(workshop, data=person())
    _, (message,) = sent(
        django_capture_on_commit_callbacks,
        lambda: services.register(workshop, data=person(dietary_needs="No nuts")),
    )
    assert message.subject == "You are on the waiting list: Planning workshop"
    for body in bodies(message):
        assert "number 2" in body and "No nuts" in body and "(UK time)" in body
        assert "until then you do not have a seat" in body
        assert "/materials/" not in body and "reminder" not in body


def test_the_promotion_e_mail_repeats_the_needs(workshop, person, django_capture_on_commit_callbacks):
    first = services.register(workshop, data=person(brings_carer=True)).registration
    services.register(workshop, data=person(name="Bo", access_needs=["hearing_loop"]))
    _, messages = sent(django_capture_on_commit_callbacks, lambda: services.cancel_registration(first))
    promoted = next(m for m in messages if m.subject.startswith("Good news"))
    text, html = bodies(promoted)
    assert "Tested hearing loop" in text and "What happens next" in text and "/materials/" in text


def test_the_cancellation_e_mail_offers_the_undo_with_a_matching_link(
    workshop, person, django_capture_on_commit_callbacks
):
    ana = services.register(workshop, data=person()).registration
    _, (message,) = sent(django_capture_on_commit_callbacks, lambda: services.cancel_registration(ana))
    text, html = bodies(message)
    assert "you can undo it until" in text and "as long as your seat is still free" in text
    assert re.search(
        r"See your place or undo the cancellation \(no account needed\): https?://\S+/events/manage/", text
    )
    assert ">See your place or undo the cancellation</a>" in html
    assert "What you told us" not in text


def test_a_late_cancellation_e_mail_says_register_again(event_factory, person):
    from django.utils import timezone

    from events.emails import build_registration_email
    from events.models import EventPage

    event = event_factory(capacity=3)
    ana = services.register(event, data=person()).registration
    services.cancel_registration(ana)
    EventPage.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - timedelta(minutes=1))
    ana.refresh_from_db()
    message = build_registration_email(ana, "cancelled")
    assert "register again on the event page" in message.body and "undo" not in message.body
    assert "See your place (no account needed)" in message.body
