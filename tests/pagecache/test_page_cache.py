"""The shared page cache: who is served from it, what it stores, and that every kind of change clears
what shows it. Run against Redis when TEST_REDIS_URL is set (see conftest)."""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from events import services
from events.factories import EventIndexPageFactory
from home.models import GuidancePage, NavigationSettings, SiteSettings
from library.models import ResourceType
from portal import cache as pagecache
from portal.models import CachePurge

pytestmark = pytest.mark.django_db

MANIFESTO = "/guidance/draft-manifesto/"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_anonymous_pages_are_served_from_the_cache_with_one_check_of_the_purges(
    client, home_page, django_assert_num_queries
):
    first = get(client, "/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # has the address been purged since? (CachePurge)
        second = get(client, "/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_signed_in_people_are_never_served_from_the_cache(client, home_page, editor):
    get(client, "/")  # cached for anonymous visitors
    client.force_login(editor)
    response = get(client, "/")
    assert "X-Page-Cache" not in response
    assert "Sign out" in response.text
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    # ... and what they see is never stored for anyone else.
    anonymous = get(Client(), "/")
    assert "Sign out" not in anonymous.text


def test_visitors_with_a_session_or_messages_bypass_the_cache(client, home_page):
    get(client, "/")
    client.cookies["sessionid"] = "anything"
    assert "X-Page-Cache" not in get(client, "/")
    other = Client()
    other.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in get(other, "/")


def test_posts_errors_and_private_addresses_are_not_stored(client, home_page, event):
    assert client.get("/no-such-page/").status_code == 404
    assert "X-Page-Cache" not in client.get("/no-such-page/")
    # A form posted with errors is shown to its sender only.
    response = client.post(event.url, {"name": ""})
    assert response.status_code == 400 and "X-Page-Cache" not in response
    assert get(client, event.url)["X-Page-Cache"] == "miss"
    assert client.get(reverse("accounts:login")).get("X-Page-Cache") is None


def test_responses_that_add_a_message_or_set_a_cookie_are_not_stored(rf, home_page):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.http import HttpResponse

    request = rf.get("/")
    request.session = type("S", (), {"modified": False, "session_key": None})()
    response = HttpResponse("x")
    assert pagecache.response_is_storable(request, response)
    response.set_cookie("tracking", "1")
    assert not pagecache.response_is_storable(request, response)
    request._messages = FallbackStorage(request)
    request._messages.add(20, "Saved")
    assert not pagecache.response_is_storable(request, HttpResponse("x"))
    private = HttpResponse("x")
    private["Cache-Control"] = "private"
    assert not pagecache.response_is_storable(rf.get("/"), private)


# --- invalidation: every kind of change -----------------------------------------------------------


def test_publishing_a_change_shows_at_once_on_the_page_and_its_listings(client, home_page):
    page = GuidancePage.objects.get(url_path__endswith="/draft-manifesto/")
    index_url = page.get_parent().url
    get(client, MANIFESTO), get(client, index_url), get(client, "/")
    page.title = "Our shared manifesto"
    page.save_revision().publish()
    assert "Our shared manifesto" in get(client, MANIFESTO).text
    assert "Our shared manifesto" in get(client, index_url).text


def test_a_draft_is_not_shown_until_published(client, home_page):
    page = GuidancePage.objects.get(url_path__endswith="/draft-manifesto/")
    get(client, MANIFESTO)
    page.title = "Draft title only"
    revision = page.save_revision()
    assert "Draft title only" not in get(client, MANIFESTO).text
    revision.publish()
    assert "Draft title only" in get(client, MANIFESTO).text


def test_unpublishing_removes_the_page_and_its_listing_entry(client, home_page):
    page = GuidancePage.objects.get(url_path__endswith="/draft-manifesto/")
    index_url = page.get_parent().url
    assert page.title in get(client, index_url).text
    get(client, MANIFESTO)
    page.unpublish()
    assert client.get(MANIFESTO).status_code == 404
    assert page.title not in get(client, index_url).text


def test_deleting_a_page_removes_it(client, event_index, event_factory):
    gone = event_factory(title="Workshop to be deleted")
    url = gone.url
    get(client, url)
    assert "Workshop to be deleted" in get(client, event_index.url).text
    gone.delete()
    assert client.get(url).status_code == 404
    assert "Workshop to be deleted" not in get(client, event_index.url).text


def test_moving_a_page_follows_it(client, home_page, event_index, event_factory):
    moving = event_factory(title="Travelling workshop")
    other_index = EventIndexPageFactory(parent=home_page, title="Archive", slug="archive")
    old_url = moving.url
    get(client, old_url), get(client, event_index.url), get(client, other_index.url)
    moving.move(other_index, pos="last-child")
    moving.refresh_from_db()
    old = client.get(old_url)  # Wagtail's automatic redirect to the new address, never the stale page
    assert old.status_code == 301 and old["Location"] == moving.url
    assert "Travelling workshop" not in get(client, event_index.url).text
    assert "Travelling workshop" in get(client, other_index.url).text
    assert "Travelling workshop" in get(client, moving.url).text


def test_editing_a_snippet_shows_everywhere_it_is_used(client, library, make_resource, taxonomy):
    make_resource(title="Ethics toolkit", resource_type=taxonomy["toolkit"])
    assert "Toolkit" in get(client, library.url).text
    term = taxonomy["toolkit"]
    term.name = "Practical toolkit"
    term.save()
    assert "Practical toolkit" in get(client, library.url).text


def test_editing_site_settings_and_navigation_shows_on_every_page(client, home_page):
    get(client, "/"), get(client, MANIFESTO)
    site_settings = SiteSettings.for_site(home_page.get_site())
    site_settings.organisation_name = "Renamed Network"
    site_settings.save()
    assert "Renamed Network" in get(client, "/").text
    assert "Renamed Network" in get(client, MANIFESTO).text

    navigation = NavigationSettings.for_site(home_page.get_site())
    navigation.primary_links = [
        ("link", {"page": None, "url": "https://example.org/x", "label": "Partner site"})
    ]
    navigation.save()
    assert "Partner site" in get(client, MANIFESTO).text


def test_renaming_or_unpublishing_a_page_in_the_menu_shows_on_every_page(client, home_page):
    manifesto = GuidancePage.objects.get(url_path__endswith="/draft-manifesto/")
    navigation = NavigationSettings.for_site(home_page.get_site())
    navigation.primary_links = [("link", {"page": manifesto.get_parent(), "url": "", "label": ""})]
    navigation.save()
    assert "Guidance" in get(client, "/").text and get(client, MANIFESTO)
    section = manifesto.get_parent().specific
    section.title = "Guides we wrote together"
    section.save_revision().publish()
    assert "Guides we wrote together" in get(client, "/").text  # the page itself and a page below
    assert "Guides we wrote together" in get(client, MANIFESTO).text
    section.unpublish()
    home = get(client, "/").text
    assert "Guides we wrote together" not in home


def test_every_page_links_the_feeds_of_the_library_that_is_public_now(client, home_page):
    from library.factories import LibraryPageFactory

    library = LibraryPageFactory(parent=home_page)
    feed = reverse("library:feed_rss", args=[library.pk])
    assert feed in get(client, MANIFESTO).text
    library.unpublish()
    assert feed not in get(client, MANIFESTO).text  # served from the cache a moment ago
    library.save_revision().publish()
    assert feed in get(client, MANIFESTO).text


def test_settings_follow_a_change_another_process_made(client, home_page, editor):
    """Settings are read once per process until a whole-site purge (portal.cache.site_value): another
    process's save writes that purge, which this process sees with its next render's first query."""
    get(client, MANIFESTO)
    SiteSettings.objects.filter(site=home_page.get_site()).update(organisation_name="Elsewhere Network")
    client.force_login(editor)  # not the page cache: this process's own copy of the settings
    assert "Elsewhere Network" not in get(client, MANIFESTO).text  # no signal: no purge, as documented
    CachePurge.objects.create(address=pagecache._digest("*"), level=pagecache.SOFT)
    assert "Elsewhere Network" in get(client, MANIFESTO).text
    client.logout()
    assert "Elsewhere Network" in get(client, MANIFESTO).text


def test_registration_and_cancellation_update_places_left_at_once(client, event_index, event_factory, person):
    event = event_factory(title="Small workshop", capacity=3)
    assert "3 of 3 places left" in get(client, event.url).text
    assert "3 places left" in get(client, event_index.url).text
    result = services.register(event, data=person())
    assert "2 of 3 places left" in get(client, event.url).text
    assert "2 places left" in get(client, event_index.url).text
    services.cancel_registration(result.registration)
    assert "3 of 3 places left" in get(client, event.url).text
    assert "3 places left" in get(client, event_index.url).text


def test_cancelling_an_event_shows_at_once(client, event):
    get(client, event.url)
    services.cancel_event(event)
    assert "cancelled" in get(client, event.url).text.lower()


@pytest.mark.django_db(transaction=True)
def test_a_purge_is_written_with_the_change_and_again_when_it_commits(restore_migration_data):
    """Written inside the transaction (it stands or falls with the change) and again after the commit,
    so a render that began before the commit is older than a purge whatever ids it saw."""
    from portal.models import CachePurge

    before = CachePurge.objects.count()
    with transaction.atomic():
        term = ResourceType.objects.create(name="Zine", slug="zine")
        term.name = "Zines"
        term.save()
        during = CachePurge.objects.count()
        assert during > before
    after = list(CachePurge.objects.order_by("pk")[during:])
    assert [p.address for p in after] == [pagecache._digest("*")]  # once, for both writes
    with pytest.raises(RuntimeError), transaction.atomic():
        ResourceType.objects.create(name="Leaflet", slug="leaflet")
        raise RuntimeError
    assert CachePurge.objects.count() == during + 1  # a rolled-back change leaves its rows behind


def test_writes_that_never_show_on_a_page_purge_nothing(home_page, editor, contributor):
    from django.utils import timezone

    from home.models import FeedbackSubmission
    from portal.models import CachePurge

    before = CachePurge.objects.count()
    editor.last_login = timezone.now()
    editor.save(update_fields=["last_login"])
    FeedbackSubmission.objects.create(
        page=GuidancePage.objects.get(url_path__endswith="/draft-manifesto/"), comment="Hello", role="public"
    )
    assert CachePurge.objects.count() == before


def test_a_registration_purges_its_event_the_index_and_home_only(client, event_index, event_factory, person):
    event = event_factory(title="Small workshop", capacity=3)
    other = event_factory(title="Other workshop", capacity=3)
    for url in (event.url, other.url, event_index.url, "/", MANIFESTO):
        get(client, url)
    services.register(event, data=person())
    assert get(client, other.url)["X-Page-Cache"] == "hit"
    assert get(client, MANIFESTO)["X-Page-Cache"] == "hit"
    for url in (event.url, event_index.url, "/"):
        assert get(client, url)["X-Page-Cache"] == "miss", url


# --- forms on cached pages -------------------------------------------------------------------------


def _token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


def test_each_visitor_gets_a_working_token_from_a_cached_event_page(event_index, event_factory):
    event = event_factory(title="Cached form", capacity=5)
    first = Client(enforce_csrf_checks=True)
    assert get(first, event.url)["X-Page-Cache"] == "miss"
    second = Client(enforce_csrf_checks=True)
    cached = get(second, event.url)
    assert cached["X-Page-Cache"] == "hit"
    assert pagecache.CSRF_PLACEHOLDER not in cached.text
    assert "csrftoken" in cached.cookies
    assert _token(cached) != _token(first.get(event.url))
    # A shared cache in front may not keep a page that carries one visitor's token.
    assert "private" in cached["Cache-Control"]
    response = second.post(
        event.url,
        {
            "csrfmiddlewaretoken": _token(cached),
            "name": "Kit Example",
            "email": "kit@example.org",
            "preferred_contact": "email",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert event.registrations.filter(email="kit@example.org").exists()


def test_feedback_posts_from_a_cached_guidance_page(home_page):
    from home.models import FeedbackSubmission

    get(Client(), MANIFESTO)
    visitor = Client(enforce_csrf_checks=True)
    cached = get(visitor, MANIFESTO)
    assert cached["X-Page-Cache"] == "hit"
    response = visitor.post(
        MANIFESTO,
        {
            "csrfmiddlewaretoken": _token(cached),
            "comment": "Clear and kind.",
            "name": "",
            "email": "",
            "role": "public",
        },
    )
    assert response.status_code == 302
    assert FeedbackSubmission.objects.filter(comment="Clear and kind.").exists()


def test_a_stale_token_from_another_visitor_is_refused(event):
    first = Client(enforce_csrf_checks=True)
    token = _token(get(first, event.url))
    stranger = Client(enforce_csrf_checks=True)
    response = stranger.post(
        event.url,
        {"csrfmiddlewaretoken": token, "name": "X", "email": "x@example.org", "preferred_contact": "email"},
    )
    assert response.status_code == 403


# --- headers ---------------------------------------------------------------------------------------


def test_public_pages_say_how_long_shared_caches_may_keep_them(client, home_page, settings):
    response = get(client, "/")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert f"max-age={settings.PAGE_CACHE_BROWSER_SECONDS}" in cache_control
    assert f"s-maxage={settings.PAGE_CACHE_SHARED_SECONDS}" in cache_control
    assert f"stale-while-revalidate={settings.PAGE_CACHE_STALE_SECONDS}" in cache_control
    assert "Cookie" in response["Vary"]
    hit = get(client, "/")
    assert hit["Cache-Control"] == cache_control and "Cookie" in hit["Vary"]


def test_private_pages_say_private_no_store(client, contributor):
    client.force_login(contributor)
    response = client.get(reverse("payments:my_involvement"))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    anonymous = Client().get(reverse("accounts:login"))
    assert "private" in anonymous["Cache-Control"]


def test_the_cache_can_be_switched_off(client, home_page, settings):
    settings.PAGE_CACHE_ENABLED = False
    get(client, "/")
    assert "X-Page-Cache" not in get(client, "/")


def test_a_new_view_restriction_applies_at_once(client, event_index, event_factory):
    from wagtail.models import PageViewRestriction

    event = event_factory(title="Soon private")
    assert "Soon private" in get(client, event.url).text
    assert "Soon private" in get(client, event_index.url).text
    PageViewRestriction.objects.create(page=event, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(event.url).status_code == 302  # to the sign-in page
    assert "Soon private" not in get(client, event_index.url).text
