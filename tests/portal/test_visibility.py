"""A page that not every visitor may see (a password, sign-in or groups on it or above it) is never
listed: not on the home page (even when an editor features it), in indexes, search, feeds, the
sitemap or the API. `portal.visibility.public_pages` means what Wagtail's `live().public()` means."""

import itertools

import pytest
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from events.factories import EventIndexPageFactory, EventPageFactory
from home.factories import GuidancePageFactory
from home.models import GuidancePage, HomePage
from library.factories import LibraryPageFactory, ResourcePageFactory
from portal.visibility import chosen_public, public_pages

pytestmark = pytest.mark.django_db

SECRET = "Quarterly board minutes"


def restrict(page, kind):
    if kind == "password":
        return PageViewRestriction.objects.create(page=page, restriction_type="password", password="s3cret")
    return PageViewRestriction.objects.create(page=page, restriction_type="login")


def test_public_pages_means_what_wagtails_public_means(home_page, guidance_index):
    section = GuidancePageFactory(parent=guidance_index, title="Private section")
    below = GuidancePageFactory(parent=section, title="Below it")
    GuidancePageFactory(parent=guidance_index, title="A draft", live=False)
    candidates = [home_page, guidance_index, section, below]
    for n in range(3):
        for chosen in itertools.combinations(candidates, n):
            PageViewRestriction.objects.all().delete()
            for page in chosen:
                restrict(page, "login")
            ours = set(public_pages(Page.objects.all()).values_list("pk", flat=True))
            wagtails = set(Page.objects.live().public().values_list("pk", flat=True))
            assert ours == wagtails, [page.title for page in chosen]


def test_chosen_public_keeps_the_order_given_and_drops_what_may_not_be_seen(home_page, guidance_index):
    pages = [GuidancePageFactory(parent=guidance_index, title=f"Guide {i}") for i in range(3)]
    restrict(pages[1], "password")
    assert chosen_public(GuidancePage, [pages[2].pk, pages[1].pk, pages[0].pk]) == [pages[2], pages[0]]


@pytest.fixture
def secret_pages(home_page, guidance_index):
    """One restricted page of every listed kind, each titled with SECRET, and the home page featuring
    the restricted guidance beside a public one."""
    guide = GuidancePageFactory(parent=guidance_index, title=SECRET, summary="Only for the board.")
    restrict(guide, "password")
    public_guide = GuidancePageFactory(parent=guidance_index, title="How we pay people")
    home = HomePage.objects.get(pk=home_page.pk)
    home.featured_guidance = [("page", guide), ("page", public_guide)]
    home.save_revision().publish()
    events = EventIndexPageFactory(parent=home_page)
    event = EventPageFactory(parent=events, title=f"{SECRET} meeting")
    restrict(event, "login")
    library = LibraryPageFactory(parent=home_page)
    resource = ResourcePageFactory(parent=library, title=f"{SECRET} archive", summary="Minutes.")
    restrict(resource, "login")
    return {"guide": guide, "event": event, "library": library, "resource": resource, "events": events}


def test_a_restricted_page_is_never_listed(client, secret_pages):
    library = secret_pages["library"]
    addresses = [
        "/",
        secret_pages["guide"].get_parent().url,
        secret_pages["events"].url,
        library.url,
        "/search/?q=quarterly",
        "/search/?q=minutes",
        reverse("guidance_feed_rss"),
        reverse("guidance_feed_atom"),
        reverse("events:feed"),
        reverse("library:feed_rss", args=[library.pk]),
        reverse("library:feed_atom", args=[library.pk]),
        "/sitemap.xml",
        "/api/v2/pages/?type=home.GuidancePage&limit=20",
        "/api/v2/pages/?type=events.EventPage&limit=20",
        "/api/v2/pages/?type=library.ResourcePage&limit=20",
        "/api/v2/pages/?search=quarterly",
    ]
    home = client.get("/").text
    assert "How we pay people" in home  # the public pick is still featured
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        assert SECRET.lower() not in response.content.decode().lower(), address
    for page in ("guide", "event", "resource"):
        detail = client.get(f"/api/v2/pages/{secret_pages[page].pk}/")
        assert detail.status_code == 404, page
