"""{% stablecache %} (portal/templatetags/fragment_cache.py): pieces of pages kept until the site's
content changes, never for previews or signed-in people, and the pages that use them stay right."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from events import services
from library.models import ResourceType

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


@pytest.mark.parametrize("page_cache", [True, False], ids=["page-cache", "rendered"])
def test_event_page_pieces_show_places_and_edits_at_once(client, event_factory, person, settings, page_cache):
    settings.PAGE_CACHE_ENABLED = page_cache  # rendered: only kept pieces and counts could be old
    event = event_factory(title="Kept workshop", capacity=3)
    assert "3 of 3 places left" in client.get(event.url).text
    registration = services.register(event, data=person()).registration
    page = client.get(event.url).text
    assert "2 of 3 places left" in page and "Kept workshop" in page
    services.cancel_registration(registration)
    assert "3 of 3 places left" in client.get(event.url).text
    event.title = "Renamed workshop"
    event.save_revision().publish()
    assert "Renamed workshop" in client.get(event.url).text


def test_library_cards_are_kept_and_follow_edits(client, home_page, settings, django_assert_num_queries):
    from library.factories import LibraryPageFactory, ResourcePageFactory

    settings.PAGE_CACHE_ENABLED = False  # every request renders; only the pieces are kept
    library = LibraryPageFactory(parent=home_page)
    first = ResourcePageFactory(parent=library, title="Kept card", summary="First words.", year=2020)
    ResourcePageFactory(parent=library, title="Other card", year=2019)
    page = client.get(library.url).text
    assert "Kept card" in page and "First words." in page
    # Kept: the page no longer reads its resources, and routing keeps the page itself: no query.
    with django_assert_num_queries(0):
        kept = client.get(library.url).text
    assert kept == page
    settings.FRAGMENT_CACHE_ENABLED = False
    assert client.get(library.url).text == page  # the same HTML rendered afresh
    settings.FRAGMENT_CACHE_ENABLED = True
    first.summary = "Changed words."
    first.save_revision().publish()
    page = client.get(library.url).text
    assert "Changed words." in page and "First words." not in page


def test_opportunity_cards_are_kept_and_follow_edits(client, home_page, settings):
    from datetime import timedelta

    from django.utils import timezone

    from opportunities.factories import OpportunityIndexPageFactory, OpportunityPageFactory

    settings.PAGE_CACHE_ENABLED = False  # every request renders; only the pieces are kept
    index = OpportunityIndexPageFactory(parent=home_page)
    role = OpportunityPageFactory(parent=index, title="Kept reviewer role", summary="Read and comment.")
    OpportunityPageFactory(
        parent=index, title="Closed panel role", closing_date=timezone.localdate() - timedelta(days=2)
    )
    page = client.get(index.url).text
    assert "Kept reviewer role" in page and "Apply by" in page and "Closed panel role" not in page
    assert client.get(index.url).text == page  # from the kept cards
    settings.FRAGMENT_CACHE_ENABLED = False
    assert client.get(index.url).text == page  # the same HTML rendered afresh
    settings.FRAGMENT_CACHE_ENABLED = True
    role.summary = "Read, comment and meet twice."
    role.save_revision().publish()
    assert "Read, comment and meet twice." in client.get(index.url).text
    closed = client.get(index.url + "?show=closed").text
    assert "Closed panel role" in closed and "Closed on" in closed and "Kept reviewer role" not in closed
