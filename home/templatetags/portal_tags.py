from django import template
from django.forms import BaseForm
from wagtail.models import Site

from home.models import NavigationSettings
from home.seo import page_ancestors

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The editor-controlled menu for the current site, as label/url/active dicts."""
    request = context.get("request")
    if request is None:
        return []
    site = Site.find_for_request(request)
    if site is None:
        return []
    items = [dict(item) for item in NavigationSettings.menu_for_request(request, site)]
    for item in items:
        url = item["url"] or ""
        item["active"] = url == request.path or (url not in ("", "/") and request.path.startswith(url))
    return items


@register.simple_tag(takes_context=True)
def error_title_prefix(context):
    """The prefix "Error: " when a form the page shows came back with errors (the GOV.UK pattern), so the first
    thing a screen reader reads, and the tab and the history, say the form was not sent.

    Any bound form in the context counts, whatever its name (form, feedback_form, expense_form).
    """
    for value in context.flatten().values():
        if isinstance(value, BaseForm) and value.is_bound and value.errors:
            return "Error: "
    return ""


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (None removes one)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in kwargs.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def breadcrumb_trail(context, page):
    """The page's ancestors below the root and home page as (title, url) pairs."""
    request = context.get("request")
    return [(ancestor.title, ancestor.get_url(request)) for ancestor in page_ancestors(request, page)]
