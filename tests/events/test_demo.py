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
