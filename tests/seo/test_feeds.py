"""RSS and Atom feeds of new resources (whole library, per topic or any filtered view) and new guidance
parse with feedparser and change when something is published."""

import feedparser
import pytest
from django.urls import reverse

from library.factories import ResourcePageFactory


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.mark.parametrize("name, version", [("library:feed_rss", "rss20"), ("library:feed_atom", "atom10")])
def test_resource_feed_lists_new_resources_newest_first(client, library, resource, name, version):
    older = ResourcePageFactory(parent=library, title="An older toolkit")
    older.first_published_at = resource.first_published_at.replace(year=2020)
    older.save()

    response, feed = parse(client, reverse(name, args=[library.pk]))
    assert feed.version == version
    assert feed.feed.title == "New resources: Resource library"
    assert feed.feed.link == library.get_full_url()
    assert [entry.title for entry in feed.entries] == ["Paying people fairly", "An older toolkit"]
    entry = feed.entries[0]
    assert entry.link == resource.get_full_url()
    assert entry.summary == resource.summary
    assert [tag.term for tag in entry.tags] == ["Payment and recognition"]
    assert entry.author == "Involvement Network"


def test_resource_feed_updates_when_a_resource_is_published(client, library, resource):
    url = reverse("library:feed_rss", args=[library.pk])
    _response, before = parse(client, url)
    assert "Co-design in practice" not in [entry.title for entry in before.entries]

    draft = ResourcePageFactory(parent=library, title="Co-design in practice", live=False)
    _response, unpublished = parse(client, url)
    assert "Co-design in practice" not in [entry.title for entry in unpublished.entries]

    draft.save_revision().publish()
    _response, after = parse(client, url)
    assert after.entries[0].title == "Co-design in practice"
    assert after.entries[0].link == draft.get_full_url()


def test_a_topic_feed_holds_only_that_topic(client, library, resource, topics):
    ResourcePageFactory(parent=library, title="Ethics in practice", topics=[topics["ethics"]])
    url = reverse("library:feed_atom", args=[library.pk]) + "?topic=ethics"
    _response, feed = parse(client, url)
    assert [entry.title for entry in feed.entries] == ["Ethics in practice"]
    assert feed.feed.title == "New resources: Resource library (Topic: Ethics)"
    assert feed.feed.link == library.get_full_url() + "?topic=ethics"


def test_a_filtered_view_feed_applies_the_listing_filters(client, library, resource, topics):
    ResourcePageFactory(parent=library, title="Not free", is_free=False, topics=[topics["payment"]])
    url = reverse("library:feed_rss", args=[library.pk]) + "?topic=payment&free=on&sort=title&page=3"
    _response, feed = parse(client, url)
    assert [entry.title for entry in feed.entries] == ["Paying people fairly"]


def test_bad_filters_are_dropped_not_a_failure(client, library, resource):
    url = reverse("library:feed_rss", args=[library.pk]) + "?topic=nonsense&year_from=abc&q=%00"
    _response, feed = parse(client, url)
    assert [entry.title for entry in feed.entries] == ["Paying people fairly"]


def test_feeds_of_unknown_or_unpublished_libraries_are_not_found(client, library):
    assert client.get(reverse("library:feed_rss", args=[library.pk + 999])).status_code == 404
    library.unpublish()
    assert client.get(reverse("library:feed_rss", args=[library.pk])).status_code == 404


def test_feeds_take_only_get(client, library):
    assert client.post(reverse("library:feed_rss", args=[library.pk])).status_code == 405
    assert client.post(reverse("guidance_feed_rss")).status_code == 405


@pytest.mark.parametrize("name", ["guidance_feed_rss", "guidance_feed_atom"])
def test_guidance_feed_lists_published_guidance(client, guidance, name):
    from home.models import GuidancePage

    _response, feed = parse(client, reverse(name))
    published = GuidancePage.objects.live().public().order_by("-first_published_at", "-pk")
    assert [entry.title for entry in feed.entries] == [page.title for page in published]
    assert guidance.get_full_url() in [entry.link for entry in feed.entries]


def test_guidance_feed_updates_when_guidance_is_published(client, guidance_index):
    from home.factories import GuidancePageFactory

    page = GuidancePageFactory(parent=guidance_index, title="Budgeting for involvement", live=False)
    _response, before = parse(client, reverse("guidance_feed_rss"))
    assert "Budgeting for involvement" not in [entry.title for entry in before.entries]
    page.save_revision().publish()
    _response, after = parse(client, reverse("guidance_feed_rss"))
    assert after.entries[0].title == "Budgeting for involvement"


def test_feed_queries_do_not_grow_with_items(
    client, library, resource, django_assert_max_num_queries, no_page_cache
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("library:feed_rss", args=[library.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(10):
        ResourcePageFactory(parent=library, title=f"More {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
