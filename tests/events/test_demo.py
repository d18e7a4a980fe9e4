from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from events.models import EventIndexPage, EventPage, Registration
from events.signing import make_manage_token

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_every_page_works(client):
    call_command("load_demo_data", stdout=StringIO())
    counts = (EventPage.objects.count(), Registration.objects.count())
    call_command("load_demo_data", stdout=StringIO())
    assert (EventPage.objects.count(), Registration.objects.count()) == counts

    index = EventIndexPage.objects.get()
    assert client.get(index.url).status_code == 200
    assert client.get(index.url + "?when=past").status_code == 200
    events = {e.slug: e for e in EventPage.objects.all()}
    for event in events.values():
        assert client.get(event.url).status_code == 200, event.slug
    full = events["reviewing-the-survey"]
    assert Registration.objects.filter(event=full, status="waiting").exists()
    assert full.seat_counts()["confirmed_seats"] <= full.capacity
    assert events["six-months-on"].follows_up_on == events["shaping-the-study-workshop"]
    assert events["shaping-the-study-workshop"].is_past
    assert Registration.objects.filter(attendance="attended").exists()
    formats = {e.format for e in events.values()}
    assert {"online", "in_person"} <= formats
    assert client.get(reverse("events:feed")).status_code == 200
    home = client.get("/")
    assert "Upcoming events" in home.text
    registration = Registration.objects.filter(status="confirmed").first()
    assert client.get(reverse("events:manage", args=[make_manage_token(registration)])).status_code == 200
    # Someone booked by phone without e-mail, with a letter to post on the call list.
    olive = Registration.objects.filter(email="", booked_via="phone").first()
    assert olive is not None and olive.entered_by is not None
    assert olive.contact_tasks.filter(method="post", done_at__isnull=True).exists()


def test_demo_materials_and_feedback(client):
    from events.models import EventFeedback, FeedbackInvitation

    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())
    training = EventPage.objects.get(slug="introduction-to-research")
    assert training.has_materials and training.material_files.count() == 1
    attendee = Registration.objects.filter(event=training, status="confirmed").first()
    token = make_manage_token(attendee)
    page = client.get(reverse("events:materials_by_link", args=[token]))
    assert page.status_code == 200 and "Course handbook" in page.text
    material = training.material_files.get()
    assert client.get(reverse("events:material_file_by_link", args=[token, material.pk])).status_code == 200

    workshop = EventPage.objects.get(slug="shaping-the-study-workshop")
    attended = Registration.objects.filter(event=workshop, status="confirmed").exclude(attendance="no_show")
    assert FeedbackInvitation.objects.filter(registration__event=workshop).count() == attended.count()
    assert EventFeedback.objects.filter(event=workshop).count() == 3
    follow_up = EventPage.objects.get(slug="six-months-on")
    assert "What changed because of your feedback" in client.get(follow_up.url).text
