"""Admin for the library: the taxonomy snippets and the "resources needing tags" report."""

from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.generic import View
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
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


class SuggestionInspectView(InspectView):
    def get_pending_file_display_value(self):
        if not self.object.pending_file:
            return "None (no file, or it has been published or discarded)"
        url = reverse("suggestions:file", args=[self.object.pk])
        return format_html(
            '<a href="{}">Download the suggested file</a> (kept privately until published)', url
        )


class SuggestionFileView(PermissionCheckedMixin, View):
    """The file a suggestion came with, while it waits for review (private storage): for those who may
    see suggestions (Editors and Moderators). Sent as a download, never shown inline."""

    permission_required = "view"

    def get(self, request, pk):
        suggestion = get_object_or_404(ResourceSuggestion, pk=pk)
        if not suggestion.pending_file:
            raise Http404("This suggestion has no file waiting for review.")
        try:
            handle = suggestion.pending_file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("This file is no longer stored.") from exc
        extension = (
            suggestion.pending_file.name.rsplit(".", 1)[-1] if "." in suggestion.pending_file.name else ""
        )
        filename = f"suggestion-{suggestion.pk}.{extension}" if extension else f"suggestion-{suggestion.pk}"
        response = FileResponse(handle, as_attachment=True, filename=filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


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
    inspect_view_class = SuggestionInspectView
    inspect_view_fields = [
        "title",
        "url",
        "pending_file",
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

    def get_urlpatterns(self):
        file_view = SuggestionFileView.as_view(permission_policy=self.permission_policy)
        return [*super().get_urlpatterns(), path("<int:pk>/file/", file_view, name="file")]


suggestion_viewset = SuggestionViewSet("suggestions")
