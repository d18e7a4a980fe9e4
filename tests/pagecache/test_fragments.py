"""{% stablecache %} (portal/templatetags/fragment_cache.py): pieces of pages kept until the site's
content changes, never for previews or signed-in people, and the pages that use them stay right."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from events import services
from library.models import ResourceType

pytestmark = pytest.mark.usefixtures("no_page_cache")

TEMPLATE = Template(
    '{% load fragment_cache %}{% stablecache "demo" value %}{{ counter.next }}{% endstablecache %}'
)


class Counter:
    def __init__(self):
        self.n = 0

    def next(self):
        self.n += 1
        return self.n


def render(counter, value=1, user=None, preview=False):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    if preview:
        request.is_preview = True
    return TEMPLATE.render(Context({"request": request, "value": value, "counter": counter}))


def test_a_piece_is_kept_until_the_site_changes(db):
    counter = Counter()
    assert render(counter) == "1"
    assert render(counter) == "1" and counter.n == 1  # kept: not rendered again
    assert render(counter, value=2) == "2"  # another value is another piece
    assert render(counter, value=1) == "1"
    ResourceType.objects.create(name="Zine", slug="zine")  # the site's content changed
    assert render(counter) == "3"


def test_previews_and_signed_in_people_never_use_kept_pieces(db, editor):
    counter = Counter()
    assert render(counter) == "1"
    assert render(counter, preview=True) == "2"
    assert render(counter, user=editor) == "3"
    assert render(counter) == "1"


def test_event_page_pieces_show_places_and_edits_at_once(client, event_factory, person):
    event = event_factory(title="Kept workshop", capacity=3)
    assert "3 of 3 places left" in client.get(event.url).text
    services.register(event, data=person())
    page = client.get(event.url).text
    assert "2 of 3 places left" in page and "Kept workshop" in page
    event.title = "Renamed workshop"
    event.save_revision().publish()
    assert "Renamed workshop" in client.get(event.url).text
