"""Registration with Wagtail only: the admin viewset, log actions, page buttons, the registration form
handler, the home page section and the page cache's paths of an event (its calendar file)."""

from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton
from wagtail.models import Page
from wagtail.permissions import policy_registry

from portal import converters  # noqa: F401 - registers <id:...>
from portal.cache import cache_until

from . import admin_views, audit, views
from .models import EventIndexPage, EventPage, Registration
from .viewsets import registration_viewset


@hooks.register("register_admin_viewset")
def register_registration_viewset():
    return registration_viewset


class CallListMenuItem(MenuItem):
    """Shown to those who may see registrations (coordinators): the calls and letters for people
    booked without e-mail."""

    def is_shown(self, request):
        return policy_registry.get_by_type(Registration).user_has_permission(request.user, "view")


@hooks.register("register_admin_menu_item")
def register_call_list_menu_item():
    return CallListMenuItem("Call list", reverse("events_admin:call_list"), icon_name="mobile-alt", order=262)


@hooks.register("register_admin_urls")
def register_feedback_summary_url():
    return [
        path(
            "events/<id:pk>/feedback/",
            admin_views.FeedbackSummaryView.as_view(),
            name="events_feedback_summary",
        )
    ]


@hooks.register("register_log_actions")
def register_events_log_actions(actions):
    audit.register_actions(actions)


@hooks.register("register_page_listing_buttons")
def event_page_buttons(page, user, next_url=None, view_name=None):
    if not isinstance(page.specific_deferred, EventPage):
        return
    if policy_registry.get_by_type(Registration).user_has_permission(user, "view"):
        yield ListingButton("Attendees", reverse("events_admin:attendees", args=[page.pk]), priority=30)
    if page.get_parent().permissions_for_user(user).can_add_subpage():
        yield ListingButton(
            "Create follow-up", reverse("events_admin:follow_up", args=[page.pk]), priority=35
        )
    if user.has_perm(admin_views.FEEDBACK_SUMMARY):
        yield ListingButton("Feedback", reverse("events_feedback_summary", args=[page.pk]), priority=38)
    if not page.specific_deferred.is_cancelled and admin_views.can_cancel_event(user, page):
        yield ListingButton("Cancel event", reverse("events_admin:cancel_event", args=[page.pk]), priority=40)


# Inside Wagtail's check of view restrictions (order 0), so a private event takes no registrations
# from people who may not see it.
@hooks.register("on_serve_page", order=100)
def handle_registration_form(serve):
    def serve_event_page(page, request, serve_args, serve_kwargs):
        if request.method == "POST" and isinstance(page, EventPage):
            return views.register(request, page, *serve_args, **serve_kwargs)
        return serve(page, request, serve_args, serve_kwargs)

    return serve_event_page


@hooks.register("home_page_sections")
def upcoming_events_section(request, page):
    events = list(
        EventPage.objects.live()
        .public()
        .filter(end__gte=timezone.now(), status=EventPage.Status.SCHEDULED)
        .defer(*EventPage.LISTING_DEFERRED)
        .order_by("start")[:3]
    )
    if not events:
        return None
    # The first of them to end leaves the section: the page that shows it is kept no longer.
    cache_until(request, min(event.end for event in events))
    # One index (max_count): found by its own table, not by walking every page in tree order.
    index = EventIndexPage.objects.live().order_by("pk").first()
    return {"template": "events/home_section.html", "order": 20, "events": events, "index": index}


@hooks.register("page_cache_paths")
def event_calendar_path(page):
    """An event's calendar file shows it too: whatever purges the event (publishing, unpublishing,
    moving, deleting, a service) purges its .ics. (The feed is one of `PAGE_CACHE_LISTING_PATHS`.)"""
    if page.pk is not None and issubclass(page.specific_class or Page, EventPage):
        return {reverse("events:event_ics", args=[page.pk])}
    return set()
