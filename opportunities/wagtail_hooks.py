"""Get involved with Wagtail only: the applications viewset, log actions, page buttons, the form handler
on opportunity pages and the home page section."""

from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.permissions import policy_registry

from portal import audit

from . import services, views
from .models import Application, OpportunityIndexPage, OpportunityPage
from .viewsets import application_viewset


@hooks.register("register_admin_viewset")
def register_application_viewset():
    return application_viewset


@hooks.register("register_log_actions")
def register_application_log_actions(actions):
    audit.register(actions, services.CHANGED, "Application changed")


@hooks.register("register_page_listing_buttons")
def opportunity_page_buttons(page, user, next_url=None, view_name=None):
    if not isinstance(page.specific_deferred, OpportunityPage):
        return
    if policy_registry.get_by_type(Application).user_has_permission(user, "view"):
        url = reverse("opportunities_admin:index") + f"?opportunity={page.pk}"
        yield ListingButton("Applications", url, priority=30)


# Inside Wagtail's check of view restrictions (order 0), so a private page takes no applications from
# people who may not see it.
@hooks.register("on_serve_page", order=100)
def handle_application_form(serve):
    def serve_opportunity_page(page, request, serve_args, serve_kwargs):
        if request.method == "POST" and isinstance(page, OpportunityPage):
            return views.apply(request, page, *serve_args, **serve_kwargs)
        return serve(page, request, serve_args, serve_kwargs)

    return serve_opportunity_page


@hooks.register("home_page_sections")
def open_opportunities_section(request, page):
    opportunities = list(
        OpportunityPage.objects.live()
        .public()
        .filter(closing_date__gte=timezone.localdate())
        .order_by("closing_date", "pk")
        .only("title", "url_path", "summary", "closing_date", "is_paid", "format")[:3]
    )
    if not opportunities:
        return None
    # One index (max_count): found by its own table, not by walking every page in tree order.
    index = OpportunityIndexPage.objects.live().order_by("pk").first()
    return {
        "template": "opportunities/home_section.html",
        "order": 15,
        "opportunities": opportunities,
        "index": index,
    }
