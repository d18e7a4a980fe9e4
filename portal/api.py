from django.http import Http404
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from .http import parse_id


class CheckedPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint, with ids from the request checked before they reach the database.

    Wagtail passes `?id=` of the find view straight to a query (ValueError: a 500 for
    `?id=2025-13-45`), and a page type's detail view looks its id up through the page link, where a
    19-digit id is an OverflowError on SQLite. Neither can be an id, so both are not found (404).
    """

    def detail_view(self, request, pk):
        if parse_id(pk) is None:
            raise Http404
        return super().detail_view(request, pk)

    def find_object(self, queryset, request):
        if "id" in request.GET and parse_id(request.GET["id"]) is None:
            return None
        return super().find_object(queryset, request)


# Apps add their own endpoints in their apps' ready() through register_endpoint.
api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", CheckedPagesAPIViewSet)
