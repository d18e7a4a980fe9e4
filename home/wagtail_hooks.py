from wagtail import hooks

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
