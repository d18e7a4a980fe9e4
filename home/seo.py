"""What a page tells search engines, feed readers and link previews: its description, canonical address,
share image, breadcrumb trail and schema.org data. `home.templatetags.seo_tags.seo_head` prints it in
every page's <head> (templates/base.html), so a new page type gets all of it without any code.

A page is described by the editor's `search_description`, else its `summary`, else its `introduction`,
else the site's description. A page type adds its own schema.org data with a `structured_data(request)`
method returning a list of objects (dicts), e.g. an `Event`; the `BreadcrumbList` is added for every page
here. A page's share image is the first image of its body.

What must stay true: every public page has a non-empty description; every address printed is absolute and
built from the Site record, never from the request's Host header (anyone can write that).
"""

import json
import re
from html import unescape

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import strip_tags
from wagtail.models import Site

from . import brand
from .models.site_settings import SiteSettings

DESCRIPTION_LENGTH = 160
SHARE_IMAGE_SPEC = "fill-1200x630"
# The share image drawn from the favicon's source (home/brand.py) when no default is set in site settings.
FALLBACK_SHARE_IMAGE = "brand/share.png"
LOGO_IMAGE = "brand/icon-512.png"


def plain_text(value):
    """Text without tags, entities or runs of white space, from plain or rich text."""
    if value is None:
        return ""
    text = unescape(strip_tags(str(value)))
    return re.sub(r"\s+", " ", text).strip()


def trim(text, limit=DESCRIPTION_LENGTH):
    """`text` cut at a word boundary so it fits in `limit` characters, with an ellipsis when cut."""
    text = plain_text(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + "…"


def site_for(request):
    return Site.find_for_request(request) if request is not None else None


def root_url(request):
    """The site's own base address (scheme, host and port from the Site record), without a trailing slash."""
    site = site_for(request)
    if site is not None:
        return site.root_url.rstrip("/")
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute(request, url):
    """`url` made absolute against the site's base address (left alone if it already is)."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return "https:" + url
    return root_url(request) + ("" if url.startswith("/") else "/") + url


def site_settings(request):
    """The site's settings (read once per request: the settings context processor shares the cache)."""
    if request is not None and site_for(request) is not None:
        return SiteSettings.for_request(request)
    return SiteSettings()


def page_description(page, settings_):
    """The editor's search description, else the page's own summary or introduction, trimmed; else the
    site's description."""
    if page is not None:
        if page.search_description:
            return trim(page.search_description)
        for name in ("summary", "introduction"):
            text = plain_text(getattr(page, name, ""))
            if text:
                return trim(text)
    return trim(settings_.site_description)


def body_image(page):
    """The first image a page's body shows, with its alternative text, or (None, "")."""
    body = getattr(page, "body", None)
    if not body:
        return None, ""
    for block in body:
        if block.block_type == "image" and block.value.get("image"):
            value = block.value
            return value["image"], "" if value.get("decorative") else value.get("alt_text", "")
    return None, ""


def share_image(request, page, settings_):
    """The picture a shared link shows: {url, width, height, alt}.

    The first image in the page's body, else the site's default share image from site settings, else the
    drawing of the site's mark that ships with it.
    """
    image, alt = body_image(page) if page is not None else (None, "")
    if image is None and settings_.default_share_image_id:
        image = settings_.default_share_image
        alt = settings_.default_share_image_alt
    if image is not None:
        try:
            rendition = image.get_rendition(SHARE_IMAGE_SPEC)
        except OSError:  # the image's file is missing or unreadable: the page must still be served
            rendition = None
        if rendition is not None:
            return {
                "url": absolute(request, rendition.url),
                "width": rendition.width,
                "height": rendition.height,
                "alt": alt or image.title,
            }
    width, height = brand.SHARE_SIZE
    return {
        "url": absolute(request, static(FALLBACK_SHARE_IMAGE)),
        "width": width,
        "height": height,
        "alt": settings_.organisation_name,
    }


def canonical_url(request, page):
    """A page's one address (its Site-based full URL, without any query string); for other views the
    path on the site's base address."""
    if page is not None and getattr(page, "pk", None):
        url = page.get_full_url(request)
        if url:
            return url
    return absolute(request, request.path) if request is not None else ""


def page_ancestors(request, page):
    """The page's ancestors below the tree root, read once per request (the visible breadcrumbs and the
    structured data both show them); none above a site's home page."""
    if not getattr(page, "path", None) or (page.depth or 0) <= 2:
        return []
    memo = request.__dict__.setdefault("_page_ancestors", {}) if request is not None else {}
    if page.path not in memo:
        memo[page.path] = list(page.get_ancestors().filter(depth__gt=1))
    return memo[page.path]


def breadcrumb_list(request, page):
    """schema.org BreadcrumbList: the page's ancestors below the tree root, then the page."""
    if page is None or not getattr(page, "pk", None):
        return None

    ancestors = page_ancestors(request, page)
    # The page itself as it is now (a preview shows its draft title).
    trail = [
        *((crumb.title, crumb.get_full_url(request)) for crumb in ancestors),
        (page.title, page.get_full_url(request)),
    ]
    items = []
    for title, url in trail:
        if url:
            items.append({"@type": "ListItem", "position": len(items) + 1, "name": title, "item": url})
    if not items:
        return None
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}


def organization(request, settings_=None, *, with_context=True):
    """schema.org Organization for the site's organisation, with a contact point from site settings."""
    settings_ = settings_ or site_settings(request)
    data = {
        "@type": "Organization",
        "name": settings_.organisation_name,
        "url": root_url(request) + "/",
        "logo": absolute(request, static(LOGO_IMAGE)),
    }
    if with_context:
        data = {"@context": "https://schema.org", **data}
    if settings_.contact_email:
        data["email"] = settings_.contact_email
    if settings_.phone:
        data["telephone"] = settings_.phone
    if settings_.contact_email or settings_.phone:
        point = {"@type": "ContactPoint", "contactType": "enquiries", "availableLanguage": "en-GB"}
        if settings_.contact_email:
            point["email"] = settings_.contact_email
        if settings_.phone:
            point["telephone"] = settings_.phone
        data["contactPoint"] = [point]
    if settings_.postal_address:
        data["address"] = {"@type": "PostalAddress", "streetAddress": plain_text(settings_.postal_address)}
    same_as = [block.value["url"] for block in settings_.social_links if block.value.get("url")]
    if same_as:
        data["sameAs"] = same_as
    return data


def json_ld(data):
    """JSON for a <script type="application/ld+json"> element: <, > and & escaped so no text in the data
    can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def head_context(request, page=None):
    """Everything `components/seo_head.html` prints for one response (`page` is None for views that are
    not pages)."""
    settings_ = site_settings(request)
    structured = []
    title = ""
    if page is not None:
        title = page.seo_title or page.title
        own = getattr(page, "structured_data", None)
        # A preview of a page not yet saved has no address or records to describe.
        if callable(own) and page.pk:
            structured.extend(own(request) or [])
        crumbs = breadcrumb_list(request, page)
        if crumbs:
            structured.append(crumbs)
    return {
        "title": plain_text(title),
        "site_name": settings_.organisation_name,
        "description": page_description(page, settings_),
        "canonical": canonical_url(request, page),
        "image": share_image(request, page, settings_),
        "og_type": getattr(page, "open_graph_type", "website"),
        "structured_data": [json_ld(item) for item in structured],
    }
