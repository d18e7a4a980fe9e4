from django.urls import include, path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton

from portal import converters  # noqa: F401 - registers <id:...>

from . import admin_views
from .models import EventPage


def _admin_urls():
    return [
        path("", admin_views.event_list, name="event_list"),
        path("<id:event_id>/attendees/", admin_views.attendees, name="attendees"),
        path("<id:event_id>/attendees.csv", admin_views.attendees_csv, name="attendees_csv"),
        path("<id:event_id>/attendees/<id:registration_id>/promote/", admin_views.promote, name="promote"),
        path(
            "<id:event_id>/attendees/<id:registration_id>/attendance/",
            admin_views.attendance,
            name="attendance",
        ),
        path("<id:event_id>/follow-up/", admin_views.follow_up, name="follow_up"),
        path("<id:event_id>/cancel/", admin_views.cancel_event, name="cancel_event"),
    ]


@hooks.register("register_admin_urls")
def register_events_admin_urls():
    return [path("event-attendees/", include((_admin_urls(), "events_admin"), namespace="events_admin"))]


class AttendeesMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_view_attendees(request.user)


@hooks.register("register_admin_menu_item")
def register_attendees_menu_item():
    return AttendeesMenuItem(
        "Event attendees", reverse("events_admin:event_list"), icon_name="group", order=260
    )


@hooks.register("register_page_listing_buttons")
def event_page_buttons(page, user, next_url=None, view_name=None):
    if not isinstance(page.specific_deferred, EventPage):
        return
    if admin_views.can_view_attendees(user):
        yield ListingButton("Attendees", reverse("events_admin:attendees", args=[page.pk]), priority=30)
    if page.get_parent().permissions_for_user(user).can_add_subpage():
        yield ListingButton(
            "Create follow-up", reverse("events_admin:follow_up", args=[page.pk]), priority=35
        )
    if not page.specific_deferred.is_cancelled and admin_views.can_cancel_event(user, page):
        yield ListingButton("Cancel event", reverse("events_admin:cancel_event", args=[page.pk]), priority=40)


@hooks.register("home_page_sections")
def upcoming_events_section(request, page):
    events = list(
        EventPage.objects.live()
        .public()
        .filter(end__gte=timezone.now(), status=EventPage.Status.SCHEDULED)
        .order_by("start")[:3]
    )
    if not events:
        return None
    from .models import EventIndexPage

    index = EventIndexPage.objects.live().first()
    return {"template": "events/home_section.html", "order": 20, "events": events, "index": index}
