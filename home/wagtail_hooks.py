from django.utils.safestring import mark_safe
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.permission_policies.pages import PagePermissionPolicy

from . import feeds, views
from .models import GuidancePage
from .viewsets import feedback_viewset


@hooks.register("register_admin_viewset")
def register_feedback_viewset():
    return feedback_viewset


# Inside Wagtail's check of view restrictions (order 0), so a private page takes no feedback from people
# who may not see it. Pages that do not ask for feedback serve a POST as Wagtail always has.
@hooks.register("on_serve_page", order=100)
def handle_feedback_form(serve):
    def serve_guidance_page(page, request, serve_args, serve_kwargs):
        if request.method == "POST" and isinstance(page, GuidancePage) and page.accepts_feedback:
            return views.feedback(request, page, *serve_args, **serve_kwargs)
        return serve(page, request, serve_args, serve_kwargs)

    return serve_guidance_page


@hooks.register("feed_links")
def guidance_feed_links(request, page):
    return feeds.guidance_feed_links(request)


class HowPublishingWorksPanel(Component):
    """On an editor's dashboard: editors submit pages, moderators publish them (the site's workflow)."""

    name = "how_publishing_works"
    order = 50

    def render_html(self, parent_context=None):
        return mark_safe(  # noqa: S308 (fixed text, nothing from input)
            '<section class="panel" aria-labelledby="how-publishing-works">'
            '<h2 id="how-publishing-works">How publishing works here</h2>'
            "<p>You write and change pages. When a page is ready, open the menu beside "
            "<strong>Save draft</strong> and choose <strong>Submit</strong>: a moderator reads it and "
            "publishes it, or asks for changes with a comment. Pages waiting for a moderator are listed "
            "under <strong>Your pages in a workflow</strong>.</p></section>"
        )


@hooks.register("construct_homepage_panels")
def explain_moderation_to_editors(request, panels):
    policy = PagePermissionPolicy()
    user = request.user
    if policy.user_has_permission(user, "change") and not policy.user_has_permission(user, "publish"):
        panels.append(HowPublishingWorksPanel())
