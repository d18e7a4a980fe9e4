"""The library index page."""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import RICH_TEXT_FEATURES
from portal.cache import vary_on_query
from portal.routing import ChildTypeRouteMixin

from ..filters import FACETS
from ..services import library_listing
from .resource import ResourcePage


class LibraryPage(ChildTypeRouteMixin, Page):
    """The resource library: lists its resource pages through `library.filters.ResourceFilterSet`."""

    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction", help_text="A sentence or two on what visitors will find here."),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    # Every query parameter the page reads (the page cache keys pages by these alone).
    cache_query_params = ("q", *FACETS, "year_from", "year_to", "free", "sort", "page")

    parent_page_types = ["home.HomePage"]
    subpage_types = ["library.ResourcePage"]

    class Meta:
        verbose_name = "library page"

    def resources(self):
        """Every live, public resource in this library (the base of the listing, the export and the
        feeds): those it lists, by their own column (`ResourcePage.listed_in`, kept equal to
        `ResourcePage.objects.live().public().child_of(self)` by `refresh_listing`)."""
        return ResourcePage.objects.filter(listed_in=self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["listing"] = listing = library_listing(self, request.GET)
        # What this response shows: the page cache stores it only for exactly these parameters.
        vary_on_query(request, listing["applied"])
        return context
