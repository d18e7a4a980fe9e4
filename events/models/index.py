from django.core.paginator import Page as ListingPage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Window
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import RICH_TEXT_FEATURES
from portal.cache import cache_until, vary_on_query
from portal.routing import ChildTypeRouteMixin

from ..filters import EventFilter
from .event import EventPage
from .materials import EventMaterialFile

EVENTS_PER_PAGE = 20


def listing_page(queryset, number, per_page=EVENTS_PER_PAGE):
    """Page `number` of `queryset` and how many rows it has in all, in two queries whatever the number
    of events: the page's ids, each carrying the total (`COUNT(*) OVER ()`, counted before the LIMIT,
    where a Paginator asks twice), then those rows. Sorting and counting ids rather than whole events
    (their text, their blocks) makes the first a quarter of the work. A number that is not a page (not
    a number, below 1, past the end) shows the first page."""
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(listing_total=Window(Count("pk"))).values_list("pk", "listing_total")
    window = list(counted[(number - 1) * per_page : number * per_page])
    if not window and number > 1:
        number, window = 1, list(counted[:per_page])
    # Asked even for an empty page (`[0]`), so the page's queries are the same whatever is found.
    found = queryset.order_by().in_bulk([pk for pk, _total in window] or [0])
    rows = [found[pk] for pk, _total in window if pk in found]
    paginator = Paginator([], per_page)
    paginator.count = window[0][1] if window else 0
    return ListingPage(rows, number, paginator)


class EventIndexPage(ChildTypeRouteMixin, Page):
    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction", help_text="Who the events are for, and how to ask about access."),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    # What `get_context` reads from the address (the page cache keeps one copy per valid combination).
    cache_query_params = (*EventFilter.base_filters, "page")

    class Meta:
        verbose_name = "event index page"

    def events(self):
        """Live, public events under this index (their `confirmed_seats` column says how many places
        are taken)."""
        return EventPage.objects.child_of(self).live().public()

    def routed_child_queryset(self, request, slug):
        """An event read as one query (`ChildTypeRouteMixin`), with what its page shows besides its own
        fields: whether it has course material files and live follow-ups. A form posted to it (a
        registration) needs neither."""
        events = super().routed_child_queryset(request, slug)
        if request.method not in ("GET", "HEAD"):
            return events
        return events.annotate(
            has_material_files=Exists(EventMaterialFile.objects.filter(event=OuterRef("pk"))),
            has_follow_ups=Exists(EventPage.objects.live().filter(follows_up_on=OuterRef("pk"))),
        )

    def get_context(self, request, *args, **kwargs):
        """One page of the events `EventFilter` selects, in SQL: the page's rows with their total (one
        query, whatever the number of events)."""
        context = super().get_context(request, *args, **kwargs)
        listed = self.events().defer(*EventPage.LISTING_DEFERRED)
        event_filter = EventFilter(request.GET or None, queryset=listed, request=request)
        page_obj = listing_page(event_filter.qs, request.GET.get("page", 1))
        pairs = event_filter.query_pairs()
        if page_obj.number > 1:
            pairs.append(("page", page_obj.number))
        vary_on_query(request, pairs)
        showing_past = event_filter.showing_past
        if not showing_past and page_obj.object_list:
            # The first of these events to end leaves the upcoming list: keep the page no longer.
            cache_until(request, min(event.end for event in page_obj.object_list))
        context["filter"] = event_filter
        context["events"] = page_obj
        context["showing_past"] = showing_past
        return context
