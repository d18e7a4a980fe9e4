"""RSS and Atom feeds of pages (Django's syndication framework), and the feed of new guidance.

`PageFeed` is the base every app's page feeds share: items are live public pages, newest first, with
absolute links built from the Site record (never from the request's Host header).
"""

from dataclasses import dataclass, field

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_GET

from . import seo
from .models import GuidanceIndexPage, GuidancePage

FEED_LENGTH = 30


@dataclass
class FeedSubject:
    """What one request's feed is about (Feed instances are shared between requests, so nothing
    request-specific may be stored on them)."""

    title: str
    link: str
    description: str
    feed_url: str
    items: list = field(default_factory=list)


class PageFeed(Feed):
    """Subclasses return a FeedSubject from `get_object(request, ...)`."""

    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, **kwargs):
        return require_GET(super().__call__)(request, *args, **kwargs)

    def title(self, obj):
        return obj.title

    def link(self, obj):
        return obj.link

    def description(self, obj):
        return obj.description

    def subtitle(self, obj):  # Atom's name for the description
        return obj.description

    def feed_url(self, obj):
        return obj.feed_url

    def items(self, obj):
        return obj.items

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return seo.plain_text(getattr(item, "summary", "") or item.search_description)

    def item_link(self, item):
        return item.full_url

    def item_guid(self, item):
        return item.full_url

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at


def feed_address(request, name, *args, query=""):
    url = seo.absolute(request, reverse(name, args=args))
    return f"{url}?{query}" if query else url


class GuidanceFeed(PageFeed):
    """New guidance, newest first."""

    url_name = "guidance_feed_rss"

    def get_object(self, request):
        settings_ = seo.site_settings(request)
        items = GuidancePage.objects.live().public().order_by("-first_published_at", "-pk")[:FEED_LENGTH]
        index = GuidanceIndexPage.objects.live().public().order_by("path").first()
        return FeedSubject(
            title=f"New guidance: {settings_.organisation_name}",
            link=index.get_full_url(request) if index else seo.root_url(request) + "/",
            description="Guidance on co-producing health and care research, newest first.",
            feed_url=feed_address(request, self.url_name),
            items=list(items),
        )


class GuidanceAtomFeed(GuidanceFeed):
    feed_type = Atom1Feed
    url_name = "guidance_feed_atom"


def guidance_feed_links(request):
    return [
        {
            "title": "New guidance (RSS)",
            "href": feed_address(request, "guidance_feed_rss"),
            "type": "application/rss+xml",
        },
        {
            "title": "New guidance (Atom)",
            "href": feed_address(request, "guidance_feed_atom"),
            "type": "application/atom+xml",
        },
    ]
