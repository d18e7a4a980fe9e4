"""Admin for the library: the taxonomy snippets and the "resources needing tags" report."""

from django.db.models import Q
from wagtail.admin.views.reports import PageReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Audience, ResourcePage, ResourceSuggestion, ResourceType, Topic


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


class SuggestionViewSet(ModelViewSet):
    """Suggestions from the community: filter, inspect and export. Reviewing happens in the workflow
    (the suggestion's draft page), so nothing here changes a suggestion."""

    model = ResourceSuggestion
    icon = "doc-empty-inverse"
    menu_label = "Suggested resources"
    menu_order = 270
    add_to_admin_menu = True
    list_display = ["title", "name", "status", "created_at", "decided_at"]
    list_filter = ["status", "credit", "created_at"]
    list_export = [
        "created_at",
        "title",
        "url",
        "why_useful",
        "name",
        "credit",
        "status",
        "decline_reason",
        "decided_at",
        "page",
    ]
    export_filename = "resource-suggestions"
    search_fields = ["title", "name", "why_useful"]
    ordering = ["-created_at"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "title",
        "url",
        "document",
        "why_useful",
        "name",
        "email",
        "credit",
        "status",
        "decline_reason",
        "created_at",
        "decided_at",
        "decided_by",
        "page",
    ]
    # Editors and Moderators have view and delete permissions only (migration 0006): a suggestion is
    # what someone sent; the resource made from it is edited as a page.
    form_fields = ["title"]


suggestion_viewset = SuggestionViewSet("suggestions")
