"""The <head> (home/templatetags/seo_tags.py) is kept for anonymous visitors and rendered afresh when
what it shows changes: the page's content, an event's places, a library view's filters, an opportunity
closing, the host; never kept for previews or signed-in people. Every request here renders (the page
cache is off), so only the kept head could serve old tags."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import head_of

pytestmark = pytest.mark.usefixtures("rendered_pages")


@pytest.fixture
def rendered_pages(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True


def test_the_head_is_kept_and_follows_an_edit(client, guidance):
    first = head_of(client.get(guidance.url))
    assert first == head_of(client.get(guidance.url))
    guidance.seo_title = "A new title for sharing"
    guidance.save_revision().publish()
    head = head_of(client.get(guidance.url))
    assert "A new title for sharing" in head and head != first


def test_an_event_that_fills_up_says_so_at_once(client, event):
    from events.factories import RegistrationFactory
    from events.models import Registration

    event.capacity = 1
    event.save_revision().publish()
    assert "InStock" in head_of(client.get(event.url))
    place = RegistrationFactory(event=event)
    assert "SoldOut" in head_of(client.get(event.url))
    place.status = Registration.Status.CANCELLED
    place.save()
    assert "InStock" in head_of(client.get(event.url))


def test_each_library_view_announces_its_own_feed(client, library, resource):
    plain = head_of(client.get(library.url))
    filtered = head_of(client.get(library.url + "?topic=payment"))
    assert "topic=payment" in filtered and "topic=payment" not in plain
    # Paging and sorting are not a feed's business: one kept head for them.
    assert head_of(client.get(library.url + "?topic=payment&sort=title")) == filtered


def test_an_opportunity_that_closes_drops_its_job_posting(client, home_page, monkeypatch):
    from opportunities.factories import OpportunityIndexPageFactory, OpportunityPageFactory

    index = OpportunityIndexPageFactory(parent=home_page)
    closing = timezone.localdate() + timedelta(days=3)
    opportunity = OpportunityPageFactory(parent=index, closing_date=closing)
    assert "JobPosting" in head_of(client.get(opportunity.url))
    later = timezone.now() + timedelta(days=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "JobPosting" not in head_of(client.get(opportunity.url))


def test_each_host_gets_the_head_it_would_get_rendered_afresh(client, guidance, settings):
    settings.ALLOWED_HOSTS = ["*"]
    for host in ["localhost", "portal.example.org", "localhost"]:
        kept = head_of(client.get(guidance.url, HTTP_HOST=host))
        settings.FRAGMENT_CACHE_ENABLED = False
        assert head_of(client.get(guidance.url, HTTP_HOST=host)) == kept
        settings.FRAGMENT_CACHE_ENABLED = True


@pytest.fixture
def kept_heads(monkeypatch):
    """The keys of the heads stored while the test runs."""
    from portal import fragments

    stored = []
    cache = fragments.store()
    original = cache.set

    def spy(key, value, *args, **kwargs):
        if ":seo-head:" in key:
            stored.append(key)
        return original(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    return stored


def test_anonymous_heads_are_kept(client, guidance, kept_heads):
    client.get(guidance.url)
    client.get(guidance.url)
    assert len(kept_heads) == 1


def test_signed_in_people_get_a_fresh_head_that_is_not_kept(client, guidance, django_user_model, kept_heads):
    user = django_user_model.objects.create_user("reader@example.org", "pw-reader-1")
    client.force_login(user)
    assert '<link rel="canonical"' in head_of(client.get(guidance.url))
    assert kept_heads == []


def test_previews_get_a_fresh_head_that_is_not_kept(rf, guidance, kept_heads):
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines

    request = rf.get(guidance.url)
    request.user = AnonymousUser()
    request.is_preview = True
    guidance.seo_title = "A draft title, in preview"
    html = (
        engines["django"].from_string("{% load seo_tags %}{% seo_head %}").render({"page": guidance}, request)
    )
    assert "A draft title, in preview" in html
    assert kept_heads == []
