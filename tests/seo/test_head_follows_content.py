"""The <head> (meta, Open Graph, JSON-LD, feed links) of a page served from the page cache follows what
it shows: an edit, an event filling and freeing, each library view's feed, an opportunity closing, the
host; previews and signed-in people get their own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import head_of


def test_the_head_follows_an_edit(client, guidance):
    first = head_of(client.get(guidance.url))
    assert client.get(guidance.url)["X-Page-Cache"] == "hit"
    guidance.seo_title = "A new title for sharing"
    guidance.save_revision().publish()
    head = head_of(client.get(guidance.url))
    assert "A new title for sharing" in head and head != first


def test_an_event_that_fills_up_says_so_at_once(client, event):
    from events import services

    event.capacity = 1
    event.save_revision().publish()
    assert "InStock" in head_of(client.get(event.url))
    person = {"name": "Kit", "email": "kit@example.org", "phone": "", "preferred_contact": "email"}
    place = services.register(event, data=person).registration
    assert "SoldOut" in head_of(client.get(event.url))
    services.cancel_registration(place)
    assert "InStock" in head_of(client.get(event.url))


def test_each_library_view_announces_its_own_feed(client, library, resource):
    plain = head_of(client.get(library.url))
    filtered = head_of(client.get(library.url + "?topic=payment"))
    assert "topic=payment" in filtered and "topic=payment" not in plain
    assert "topic=payment" in head_of(client.get(library.url + "?topic=payment&sort=title"))


def test_an_opportunity_that_closes_drops_its_job_posting(client, home_page, monkeypatch):
    from opportunities.factories import OpportunityIndexPageFactory, OpportunityPageFactory

    index = OpportunityIndexPageFactory(parent=home_page)
    closing = timezone.localdate() + timedelta(days=3)
    opportunity = OpportunityPageFactory(parent=index, closing_date=closing)
    assert "JobPosting" in head_of(client.get(opportunity.url))
    assert client.get(opportunity.url)["X-Page-Cache"] == "hit"
    later = timezone.now() + timedelta(days=5)
    monkeypatch.setattr(timezone, "now", lambda: later)  # kept until the day it was rendered ends
    assert "JobPosting" not in head_of(client.get(opportunity.url))


def test_each_host_gets_the_head_it_would_get_rendered_afresh(client, guidance, settings):
    settings.ALLOWED_HOSTS = ["*"]
    for host in ["localhost", "portal.example.org", "localhost"]:
        head = head_of(client.get(guidance.url, HTTP_HOST=host))
        settings.PAGE_CACHE_ENABLED = False
        assert head_of(client.get(guidance.url, HTTP_HOST=host)) == head
        settings.PAGE_CACHE_ENABLED = True


def test_signed_in_people_get_a_fresh_head(client, guidance, django_user_model):
    client.get(guidance.url)
    user = django_user_model.objects.create_user("reader@example.org", "pw-reader-1")
    client.force_login(user)
    response = client.get(guidance.url)
    assert '<link rel="canonical"' in head_of(response) and "X-Page-Cache" not in response


def test_previews_get_their_draft_in_the_head(rf, guidance):
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


pytestmark = pytest.mark.django_db
