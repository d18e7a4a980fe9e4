"""The events' services purge what they change and nothing more (portal.cache): a registration its
event's page and the pages above it, never the whole site; attendance and feedback nothing public; a
cancelled or moved event its calendar file and the feed too."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.factories import RegistrationFactory
from portal.models import CachePurge

pytestmark = pytest.mark.django_db

MANIFESTO = "/guidance/draft-manifesto/"


def purged(path):
    return CachePurge.objects.filter(address=hashlib.sha256(path.encode()).hexdigest()).exists()


def how(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get("X-Page-Cache")


@pytest.fixture
def cached(client, home_page, event_index, event_factory):
    """An event and another, each page stored in the cache, and no purge recorded yet."""
    event = event_factory(title="Small workshop", capacity=2)
    other = event_factory(title="Other workshop", capacity=3)
    urls = [event.url, other.url, event_index.url, "/", MANIFESTO]
    for url in urls:
        how(client, url)
    CachePurge.objects.all().delete()
    return event, other


def test_every_registration_change_purges_its_event_the_index_and_home_only(client, cached, person):
    event, other = cached
    first = services.register(event, data=person()).registration
    pair = services.register(event, data=person(brings_carer=True)).registration  # does not fit: waits
    single = services.register(event, data=person()).registration  # waits behind the pair
    services.promote(single)  # a coordinator, out of turn
    services.change_needs(pair, data={"brings_carer": False})
    services.cancel_registration(first)  # the pair, now of one, is promoted
    pair.refresh_from_db()
    assert pair.status == "confirmed"
    assert not purged("*")
    assert purged(event.url) and purged(reverse("events:event_ics", args=[event.pk]))
    assert not purged(other.url) and not purged(MANIFESTO)
    assert how(client, other.url) == "hit" and how(client, MANIFESTO) == "hit"
    assert "Full" in client.get(event.url).text


def test_attendance_and_feedback_purge_nothing(client, cached, event_factory):
    event, _other = cached
    ended = event_factory(start=timezone.now() - timedelta(days=2), end=timezone.now() - timedelta(days=1))
    registration = RegistrationFactory(event=ended)
    CachePurge.objects.all().delete()
    services.mark_attendance(registration, "attended")
    assert services.send_feedback_requests().sent == 1
    invitation = services.invitation_for(registration.feedback_invitation.token)
    services.submit_event_feedback(invitation, data={"rating": 5, "access_met": "yes"})
    assert not CachePurge.objects.exists()
    assert how(client, event.url) == "hit"


def test_cancelling_an_event_purges_its_page_calendar_file_and_the_feed(client, cached):
    event, other = cached
    ics, feed = reverse("events:event_ics", args=[event.pk]), reverse("events:feed")
    for url in (ics, feed):
        how(client, url)
        assert how(client, url) == "hit"
    services.cancel_event(event)
    assert not purged("*") and not purged(other.url)
    assert b"STATUS:CANCELLED" in client.get(ics).content
    assert b"STATUS:CANCELLED" in client.get(feed).content
    assert "This event has been cancelled" in client.get(event.url).text


def test_publishing_a_new_time_or_unpublishing_purges_the_calendar_file(client, cached):
    event, _other = cached
    ics = reverse("events:event_ics", args=[event.pk])
    how(client, ics)
    assert how(client, ics) == "hit"
    services.change_event(event, start=event.start + timedelta(hours=1), end=event.end + timedelta(hours=1))
    assert b"SEQUENCE:1" in client.get(ics).content
    event.unpublish()
    assert client.get(ics).status_code == 404
