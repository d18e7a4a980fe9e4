"""Feeds of new resources: a library's whole list, or any filtered view of it (the listing's own query
string: `?topic=…&type=…&q=…`), as RSS and Atom."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from home import seo
from home.feeds import FEED_LENGTH, FeedSubject, PageFeed, feed_address

from .filters import feed_query
from .models import LibraryPage
from .models.terms import Topic
from .services import build_filterset


def new_resources(library, params):
    """(filterset, the newest resources matching `params`, newest first)."""
    filterset = build_filterset(library, params)
    results = (
        filterset.filter_queryset(library.resources())
        .order_by("-first_published_at", "-pk")
        .select_related("resource_type")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
    )
    return filterset, list(results[:FEED_LENGTH])


class ResourceFeed(PageFeed):
    url_name = "library:feed_rss"

    def get_object(self, request, page_id):
        library = get_object_or_404(LibraryPage.objects.live().public(), pk=page_id)
        filterset, items = new_resources(library, request.GET)
        chips = [chip["label"] for chip in filterset.active_filters()]
        query = feed_query(request.GET)
        title = f"New resources: {library.title}"
        if chips:
            title += f" ({'; '.join(chips)})"
        return FeedSubject(
            title=title,
            link=library.get_full_url(request) + (f"?{query}" if query else ""),
            description=seo.plain_text(library.introduction) or f"New resources in {library.title}.",
            feed_url=feed_address(request, self.url_name, library.pk, query=query),
            items=items,
        )

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]

    def item_author_name(self, item):
        return item.author or None


class ResourceAtomFeed(ResourceFeed):
    feed_type = Atom1Feed
    url_name = "library:feed_atom"


def resource_feed_links(request, library, query=""):
    suffix = " (this selection)" if query else ""
    return [
        {
            "title": f"New resources{suffix} (RSS)",
            "href": feed_address(request, "library:feed_rss", library.pk, query=query),
            "type": "application/rss+xml",
        },
        {
            "title": f"New resources{suffix} (Atom)",
            "href": feed_address(request, "library:feed_atom", library.pk, query=query),
            "type": "application/atom+xml",
        },
    ]
