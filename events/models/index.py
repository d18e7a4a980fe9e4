from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import RICH_TEXT_FEATURES
from portal.cache import cache_until, vary_on_query

from ..filters import EventFilter
from .event import EventPage

EVENTS_PER_PAGE = 20


class EventIndexPage(Page):
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

    def get_context(self, request, *args, **kwargs):
        """One page of the events `EventFilter` selects, in SQL: a count and the page's rows, whatever
        the number of events."""
        context = super().get_context(request, *args, **kwargs)
        event_filter = EventFilter(request.GET or None, queryset=self.events(), request=request)
        paginator = Paginator(event_filter.qs, EVENTS_PER_PAGE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
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
