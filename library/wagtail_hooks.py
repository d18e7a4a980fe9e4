from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal import audit
from portal.cache import site_value

from .admin_views import import_view, may_import
from .feeds import resource_feed_links
from .filters import feed_query
from .models import LibraryPage, ResourcePage
from .suggestions.services import AUDIT_ACTION
from .viewsets import LibraryTaxonomyGroup, ResourcesNeedingTagsView, suggestion_viewset


@hooks.register("register_admin_viewset")
def register_library_taxonomy():
    return LibraryTaxonomyGroup()


@hooks.register("register_admin_viewset")
def register_suggestion_viewset():
    return suggestion_viewset


@hooks.register("register_log_actions")
def register_suggestion_log_actions(actions):
    audit.register(actions, AUDIT_ACTION, "Suggestion changed")


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


@hooks.register("register_admin_urls")
def register_library_import_urls():
    return [path("library/import/", import_view, name="library_import")]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import(request.user)


@hooks.register("register_admin_menu_item")
def register_library_import_menu_item():
    return ImportMenuItem("Import resources", reverse("library_import"), icon_name="upload", order=270)


@hooks.register("register_reports_menu_item")
def register_library_report_menu_item():
    return MenuItem("Resources needing tags", reverse("library_needing_tags"), icon_name="tag", order=800)


def _main_library_pk(request):
    """Which library every page's feed links name: the site's first public one, kept by this process
    until the next whole-site purge (``portal.cache.site_value``), which any library's publishing,
    unpublishing, moving or deleting makes (`library_feed_paths`), as a change of view restrictions does."""

    def first():  # Wagtail's public() reads the restrictions when called: only on a miss
        return LibraryPage.objects.live().public().order_by("path").values_list("pk", flat=True).first()

    return site_value(request, "main-library", first)


def _main_library(request):
    """The main library itself, for the home page's section."""
    pk = _main_library_pk(request)
    return LibraryPage.objects.filter(pk=pk).first() if pk else None


def _home_section_resources(library):
    resources = library.resources().select_related("resource_type").defer("body")
    # First publication as the listing keeps it on the resource row (its "latest" index orders by it).
    newest = ("-listing_published_at", "-pk")
    featured = list(resources.filter(is_featured=True).order_by(*newest)[:3])
    latest = list(resources.exclude(pk__in=[r.pk for r in featured]).order_by(*newest)[:4])
    return featured, latest


@hooks.register("home_page_sections")
def library_home_section(request, page):
    library = _main_library(request)
    if library is None:
        return None
    featured, latest = _home_section_resources(library)
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
    pk = _main_library_pk(request)
    return resource_feed_links(request, LibraryPage(pk=pk)) if pk else []


@hooks.register("page_cache_paths")
def library_feed_paths(page):
    """A library's feeds list its resources: publishing, changing or removing one purges them too. Every
    page links the main library's feeds: a library's own change purges the whole site (rare)."""
    if isinstance(page, ResourcePage) and page.path:
        library, everywhere = page.get_parent(), set()
    elif isinstance(page, LibraryPage):
        library, everywhere = page, {"*"}
    else:
        return set()
    if library is None or library.pk is None:
        return everywhere
    return everywhere | {
        reverse(name, args=[library.pk]) for name in ("library:feed_rss", "library:feed_atom")
    }
