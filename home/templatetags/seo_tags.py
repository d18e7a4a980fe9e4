"""The <head> tags every page gets: description, canonical address, Open Graph and Twitter cards, schema.org
JSON-LD, feed links and icons (see home/seo.py for what each is built from)."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from wagtail import hooks
from wagtail.models import Page

from home.seo import head_context
from portal import fragments

register = template.Library()


def feed_links(request, page):
    """Feeds to announce with <link rel="alternate">: each app offers its own through the `feed_links`
    hook, `fn(request, page)` returning a list of {"title", "href", "type"} (page may be None)."""
    links = []
    for fn in hooks.get_hooks("feed_links"):
        for link in fn(request, page) or []:
            if link and link not in links:
                links.append(link)
    return links


def _kept_for(request, page):
    """The values the head of this response is kept under, or None when it must be rendered afresh.

    Kept (until the site's content next changes, or PAGE_CACHE_SECONDS for what time alone changes)
    only for anonymous visitors outside previews: the key holds the host (addresses are absolute), the
    path, the page and what the page says its head shows besides content (``head_varies_with``: an
    event's seat count, a library view's feed, an opportunity being open).
    """
    if not fragments.may_keep(request):
        return None
    varies = getattr(page, "head_varies_with", None)
    return [
        request.get_host(),
        request.path,
        getattr(page, "pk", None),
        *(varies(request) if callable(varies) else ()),
    ]


@register.simple_tag(takes_context=True)
def seo_head(context):
    request = context.get("request")
    page = context.get("page")
    if not isinstance(page, Page):
        page = None

    def render():
        seo = head_context(request, page)
        seo["feeds"] = feed_links(request, page) if request is not None else []
        return render_to_string("components/seo_head.html", {"seo": seo, "request": request})

    values = _kept_for(request, page)
    if values is None:
        return mark_safe(render())  # noqa: S308 - our template's output, escaped as it rendered
    html = fragments.kept("seo-head", values, render, min(fragments.timeout(), settings.PAGE_CACHE_SECONDS))
    return mark_safe(html)  # noqa: S308 - our template's output, escaped as it rendered
