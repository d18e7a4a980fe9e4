"""Admin for the library: the taxonomy snippets and the "resources needing tags" report."""

from django.db.models import Q
from wagtail.admin.views.reports import PageReportView
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Audience, ResourcePage, ResourceType, Topic


class TaxonomyChooserViewSet(SnippetChooserViewSet):
    # Wagtail routes the chooser's "create" address even without a creation form, and a POST to it
    # then fails (AttributeError, a 500). With one, editors may add a term from the chooser itself.
    form_fields = ["name", "slug"]


class TaxonomyViewSet(SnippetViewSet):
    chooser_viewset_class = TaxonomyChooserViewSet
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    add_to_admin_menu = False


class ResourceTypeViewSet(TaxonomyViewSet):
    model = ResourceType
    icon = "tag"
    menu_label = "Resource types"


class TopicViewSet(TaxonomyViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"


class AudienceViewSet(TaxonomyViewSet):
    model = Audience
    icon = "group"
    menu_label = "Audiences"


class LibraryTaxonomyGroup(SnippetViewSetGroup):
    menu_label = "Library tags"
    menu_icon = "tag"
    menu_order = 260
    items = (ResourceTypeViewSet, TopicViewSet, AudienceViewSet)


def resources_needing_tags():
    """Resource pages (live or draft) with no type, topic, audience or summary: what an import left to do."""
    return (
        ResourcePage.objects.filter(
            Q(resource_type__isnull=True) | Q(topics__isnull=True) | Q(audiences__isnull=True) | Q(summary="")
        )
        .distinct()
        .select_related("resource_type")
        .order_by("title")
    )


class ResourcesNeedingTagsView(PageReportView):
    """Lists every resource page missing a type, a topic or an audience, so editors can tag imports."""

    page_title = "Resources needing tags"
    header_icon = "tag"
    index_url_name = "library_needing_tags"
    index_results_url_name = "library_needing_tags_results"

    def get_queryset(self):
        return resources_needing_tags()
