from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import RICH_TEXT_FEATURES
from portal.fragments import kept_pieces
from portal.pagecache import public

from ..filters import EventFilter
from ..listing import event_rows, matching_rows
from .event import EventPage


class EventIndexPage(Page):
    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction", help_text="Who the events are for, and how to ask about access."),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = "event index page"

    def events(self):
        """Live, public events under this index (their `confirmed_seats` column says how many places
        are taken)."""
        return public(EventPage.objects.child_of(self).live())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The filter's form and values only: they are applied to the events' rows, kept until the next
        # write (events/listing.py); `EventFilter(..., queryset=self.events()).qs` is their SQL definition.
        event_filter = EventFilter(request.GET or None, queryset=EventPage.objects.all(), request=request)
        paginator = Paginator(matching_rows(event_rows(self), event_filter), 20)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
        showing_past = event_filter.showing_past
        # Each card is kept until the site changes, keyed by its seat count, and only events whose
        # cards are not kept are read in full.
        seats = {row.pk: row.confirmed_seats for row in page_obj.object_list}
        order = list(seats)

        def load(missing):
            events = list(self.events().filter(pk__in=missing))
            for event in events:
                event.confirmed_seats = seats.get(event.pk, event.confirmed_seats)
            return events

        context["filter"] = event_filter
        context["events"] = page_obj
        context["cards"] = kept_pieces(
            request,
            f"events:card:{'past' if showing_past else 'upcoming'}",
            order,
            load,
            "events/event_card.html",
            "event",
            versions=seats,
            extra={"showing_past": showing_past},
        )
        context["showing_past"] = showing_past
        return context
