from wagtail.api.v2.views import PagesAPIViewSet

from portal.api import CheckedPagesAPIViewSet

from .models import ResourcePage


class ResourcesAPIViewSet(CheckedPagesAPIViewSet):
    """Live, public resource pages only: /api/v2/resources/ and /api/v2/resources/<id>/."""

    model = ResourcePage
    listing_default_fields = PagesAPIViewSet.listing_default_fields + ["summary", "resource_type", "year"]

    def get_queryset(self):
        return super().get_queryset().select_related("resource_type").prefetch_related("topics", "audiences")
