"""The events admin: one ModelViewSet for registrations ("Event attendees" in the menu).

It lists every registration with filters (event, status, attendance) and exports the filtered list as
CSV or XLSX; each registration has an inspect page and a History page (the services write Wagtail's log).
Registrations are never added, edited or deleted here: every change goes through `events.services`, so
the viewset has no create, edit, copy or delete views, and its custom actions are the view classes in
`events.admin_views`, registered under the same URL prefix and namespace: among them booking a place
for someone who is not online (`services.register` with `entered_by`), their letters, the call list,
the sign-in sheet and ticking attendance from it.
"""

import datetime

import django_filters
from django.contrib.auth.models import Permission
from django.urls import path
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from portal import converters  # noqa: F401 - registers <id:...>
from portal.admin_links import viewing_url_finder

from . import admin_views
from .models import EventPage, Registration


class RegistrationFilterSet(WagtailFilterSet):
    event = django_filters.ModelChoiceFilter(queryset=EventPage.objects.order_by("-start"), label="Event")

    class Meta:
        model = Registration
        fields = ["event", "status", "attendance"]


def _local_minute(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class RegistrationIndexView(IndexView):
    """The listing and its export. Exports hold personal data: never cached. No cell a spreadsheet would
    run as a formula: portal.exports guards every Wagtail list export."""

    custom_field_preprocess = {
        "created_at": {IndexView.FORMAT_CSV: _local_minute},
        "access_need_labels": {IndexView.FORMAT_CSV: "; ".join, IndexView.FORMAT_XLSX: "; ".join},
    }

    def get_filename(self):
        event = (
            self.filters.form.cleaned_data.get("event") if self.filters and self.filters.is_valid() else None
        )
        return f"attendees-{event.slug}" if event else "registrations"

    def as_spreadsheet(self, queryset, spreadsheet_format):
        response = super().as_spreadsheet(queryset, spreadsheet_format)
        response["Cache-Control"] = "private, no-store"
        return response


class RegistrationInspectView(InspectView):
    """A registration as a coordinator reads it: access needs by their labels, "Yes"/"No" for the
    ticked boxes, "Not set" for what is empty, times in the site's zone (never True, None or
    `step_free`; tests/payments/test_admin_human_values.py renders it)."""

    def get_access_needs_display_value(self):
        return "; ".join(self.object.access_need_labels) or "None given"

    def get_field_display_value(self, field_name, field):
        if getattr(self, f"get_{field_name}_display_value", None) is not None or (
            field is not None and getattr(field, "choices", None)
        ):
            return super().get_field_display_value(field_name, field)
        value = getattr(self.object, field_name, None)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if value is None:
            return "Not set"
        if isinstance(value, datetime.datetime):
            return f"{timezone.localtime(value):%-d %b %Y %H:%M}"
        return super().get_field_display_value(field_name, field)


class RegistrationViewSet(ModelViewSet):
    model = Registration
    icon = "group"
    menu_label = "Event attendees"
    menu_order = 260
    add_to_admin_menu = True
    url_prefix = "event-attendees"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = RegistrationInspectView
    index_view_class = RegistrationIndexView
    filterset_class = RegistrationFilterSet
    search_fields = ["name", "email", "phone"]
    ordering = ["-created_at", "-pk"]
    list_display = [
        "name",
        "event",
        Column("status", label="Status", accessor="get_status_display"),
        "seats",
        Column("attendance", label="Attendance", accessor="get_attendance_display"),
        DateColumn("created_at", label="Registered"),
    ]
    list_export = [
        "event",
        "name",
        "email",
        "phone",
        "postal_address",
        "get_preferred_contact_display",
        "get_booked_via_display",
        "get_status_display",
        "get_attendance_display",
        "seats",
        "carer_name",
        "access_need_labels",
        "access_needs_other",
        "dietary_needs",
        "created_at",
    ]
    export_headings = {
        "event": "Event",
        "name": "Name",
        "email": "Email",
        "phone": "Phone",
        "postal_address": "Postal address",
        "get_preferred_contact_display": "Preferred contact",
        "get_booked_via_display": "Booked",
        "get_status_display": "Status",
        "get_attendance_display": "Attendance",
        "seats": "Seats",
        "carer_name": "Carer or PA",
        "access_need_labels": "Access needs",
        "access_needs_other": "Other access needs",
        "dietary_needs": "Dietary needs",
        "created_at": "Registered at",
    }
    inspect_view_fields = [
        "event",
        "name",
        "email",
        "phone",
        "postal_address",
        "preferred_contact",
        "consent_to_keep_contact_details",
        "booked_via",
        "entered_by",
        "status",
        "attendance",
        "seats",
        "brings_carer",
        "carer_name",
        "access_needs",
        "access_needs_other",
        "dietary_needs",
        "consent_to_keep_access_info",
        "access_info_retain_until",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    ]

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit or delete views (see the module docstring): no links to them either.
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    @property
    def url_finder_class(self):
        # No edit view: links to a registration from elsewhere in the admin (the site history report,
        # for one) go to its inspect view.
        return viewing_url_finder(self.get_url_name("inspect"))

    def get_permissions_to_register(self):
        # Only what coordinators can be given: seeing registrations and acting on them.
        return Permission.objects.filter(
            content_type__app_label="events", codename__in=["view_registration", "change_registration"]
        )

    def get_urlpatterns(self):
        # The events overview comes first: it is where the menu item leads.
        return [
            path("", admin_views.EventListView.as_view(), name="event_list"),
            path("registrations/", self.index_view, name="index"),
            path("registrations/results/", self.index_results_view, name="index_results"),
            path("registrations/<int:pk>/", self.inspect_view, name="inspect"),
            path("registrations/<int:pk>/history/", self.history_view, name="history"),
            path(
                "registrations/<int:pk>/history/results/", self.history_results_view, name="history_results"
            ),
            path("<id:event_id>/attendees/", admin_views.AttendeesView.as_view(), name="attendees"),
            path(
                "<id:event_id>/attendees.csv",
                admin_views.AttendeesExportView.as_view(),
                name="attendees_csv",
            ),
            path(
                "<id:event_id>/attendees/<id:registration_id>/promote/",
                admin_views.PromoteView.as_view(),
                name="promote",
            ),
            path(
                "<id:event_id>/attendees/<id:registration_id>/attendance/",
                admin_views.AttendanceView.as_view(),
                name="attendance",
            ),
            path(
                "<id:event_id>/attendees/<id:registration_id>/cancel/",
                admin_views.CancelPlaceView.as_view(),
                name="cancel_place",
            ),
            path("<id:event_id>/book/", admin_views.BookOnBehalfView.as_view(), name="book_on_behalf"),
            path("<id:event_id>/sign-in/", admin_views.SignInAttendanceView.as_view(), name="sign_in"),
            path(
                "<id:event_id>/sign-in-sheet.pdf", admin_views.SignInSheetView.as_view(), name="sign_in_sheet"
            ),
            path("registrations/<id:pk>/letter.pdf", admin_views.LetterView.as_view(), name="letter"),
            path("call-list/", admin_views.CallListView.as_view(), name="call_list"),
            path(
                "call-list/<id:pk>/done/", admin_views.CompleteContactTaskView.as_view(), name="contact_done"
            ),
            path("<id:event_id>/follow-up/", admin_views.FollowUpView.as_view(), name="follow_up"),
            path("<id:event_id>/cancel/", admin_views.CancelEventView.as_view(), name="cancel_event"),
            path(
                "materials/<id:file_id>/",
                admin_views.MaterialDownloadView.as_view(),
                name="material_download",
            ),
        ]


registration_viewset = RegistrationViewSet("events_admin")
