"""The <head> tags every page gets: description, canonical address, Open Graph and Twitter cards, schema.org
JSON-LD, feed links and icons (see home/seo.py for what each is built from)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from wagtail import hooks
from wagtail.models import Page

from home.seo import head_context

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


@register.simple_tag(takes_context=True)
def seo_head(context):
    request = context.get("request")
    page = context.get("page")
    if not isinstance(page, Page):
        page = None

    seo = head_context(request, page)
    seo["feeds"] = feed_links(request, page) if request is not None else []
    html = render_to_string("components/seo_head.html", {"seo": seo, "request": request})
    return mark_safe(html)  # noqa: S308 - our template's output, escaped as it rendered
