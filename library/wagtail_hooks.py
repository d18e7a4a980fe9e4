from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .feeds import feed_query, resource_feed_links
from .models import LibraryPage
from .viewsets import LibraryTaxonomyGroup, ResourcesNeedingTagsView


@hooks.register("register_admin_viewset")
def register_library_taxonomy():
    return LibraryTaxonomyGroup()


@hooks.register("register_admin_urls")
def register_library_report_urls():
    return [
        path(
            "reports/resources-needing-tags/", ResourcesNeedingTagsView.as_view(), name="library_needing_tags"
        ),
        path(
            "reports/resources-needing-tags/results/",
            ResourcesNeedingTagsView.as_view(results_only=True),
            name="library_needing_tags_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_library_report_menu_item():
    return MenuItem("Resources needing tags", reverse("library_needing_tags"), icon_name="tag", order=800)


@hooks.register("home_page_sections")
def library_home_section(request, page):
    library = LibraryPage.objects.live().public().first()
    if library is None:
        return None
    resources = library.resources().select_related("resource_type")
    featured = list(resources.filter(is_featured=True).order_by("-first_published_at", "-pk")[:3])
    latest = list(
        resources.exclude(pk__in=[r.pk for r in featured]).order_by("-first_published_at", "-pk")[:4]
    )
    if not featured and not latest:
        return None
    return {
        "template": "library/home_section.html",
        "order": 20,
        "library": library,
        "featured": featured,
        "latest": latest,
    }


@hooks.register("feed_links")
def library_feed_links(request, page):
    """On a library page, the feed of the view being looked at (its filters); elsewhere the whole library's."""
    if isinstance(page, LibraryPage):
        return resource_feed_links(request, page, feed_query(request.GET))
    library = LibraryPage.objects.live().public().order_by("path").first()
    return resource_feed_links(request, library) if library else []
