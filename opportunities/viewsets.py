"""The applications admin: one ModelViewSet ("Applications" in the menu) listing every application with
filters (opportunity, status, preferred contact) and CSV/XLSX export (every cell through portal.exports'
formula guard, which covers Wagtail's list exports). Applications are never added, edited or deleted
here: each has its own page (admin_views.ApplicationView) whose decisions go through
`opportunities.services`. The equality monitoring counts are a view of their own, counts only."""

import django_filters
from django.contrib.auth.models import Permission
from django.urls import path, reverse
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from portal.admin_links import viewing_url_finder

from . import admin_views
from .models import Application, OpportunityPage


class ApplicationFilterSet(WagtailFilterSet):
    opportunity = django_filters.ModelChoiceFilter(
        queryset=OpportunityPage.objects.order_by("-closing_date").only("pk", "title"), label="Opportunity"
    )

    class Meta:
        model = Application
        fields = ["opportunity", "status", "preferred_contact"]


class ApplicationIndexView(IndexView):
    """The listing and its export. Exports hold personal data: never cached."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("opportunity")

    def get_filename(self):
        return "applications"

    def as_spreadsheet(self, queryset, spreadsheet_format):
        response = super().as_spreadsheet(queryset, spreadsheet_format)
        response["Cache-Control"] = "private, no-store"
        return response


class ApplicationViewSet(ModelViewSet):
    model = Application
    icon = "user"
    menu_label = "Applications"
    menu_order = 270
    add_to_admin_menu = True
    url_prefix = "applications"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ApplicationIndexView
    filterset_class = ApplicationFilterSet
    search_fields = ["name", "email"]
    ordering = ["-created_at", "-pk"]
    list_display = [
        TitleColumn(
            "name",
            label="Name",
            get_url=lambda application: reverse("opportunities_admin:application", args=[application.pk]),
        ),
        Column("opportunity", label="Opportunity"),
        Column("status", label="Status", accessor="get_status_display"),
        Column("preferred_contact", label="Contact by", accessor="get_preferred_contact_display"),
        DateColumn("created_at", label="Applied"),
    ]
    list_export = [
        "opportunity",
        "name",
        "email",
        "phone",
        "postal_address",
        "get_preferred_contact_display",
        "get_status_display",
        "answers_text",
        "access_needs",
        "support_needed",
        "created_at",
    ]
    export_headings = {
        "opportunity": "Opportunity",
        "name": "Name",
        "email": "Email",
        "phone": "Phone",
        "postal_address": "Postal address",
        "get_preferred_contact_display": "Preferred contact",
        "get_status_display": "Status",
        "answers_text": "Answers",
        "access_needs": "Access needs",
        "support_needed": "Support needed",
        "created_at": "Applied at",
    }

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    @property
    def url_finder_class(self):
        # No edit view: links to an application from elsewhere in the admin (the site history report,
        # for one) go to its own page.
        return viewing_url_finder(self.get_url_name("application"))

    def get_permissions_to_register(self):
        return Permission.objects.filter(
            content_type__app_label="opportunities",
            codename__in=["view_application", "change_application", "view_monitoring_summary"],
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", admin_views.ApplicationView.as_view(), name="application"),
            path("<int:pk>/history/", self.history_view, name="history"),
            path("<int:pk>/history/results/", self.history_results_view, name="history_results"),
            path("monitoring/", admin_views.MonitoringView.as_view(), name="monitoring"),
        ]


application_viewset = ApplicationViewSet("opportunities_admin")
