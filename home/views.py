from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Page, get_page_models

from portal.cache import vary_on_query
from portal.search_backend import ranked_ids

from . import brand, seo
from .forms import FeedbackForm
from .services import FeedbackRejected, submit_feedback


def feedback(request, page, *args, **kwargs):
    """Feedback posted to a guidance page's own address (see `wagtail_hooks`); a GET of the page is
    Wagtail's, with the empty form from `GuidancePage.get_context`."""
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            submit_feedback(page=page, data=form.cleaned_data, request=request)
        except FeedbackRejected as exc:
            form.add_error(None, str(exc))
        else:
            return HttpResponseRedirect(page.url + "?feedback=sent#feedback")
    context = page.get_context(request, *args, **kwargs)
    context["feedback_form"] = form
    return TemplateResponse(request, page.get_template(request, *args, **kwargs), context, status=400)


def search(request):
    """Site search: every live, public page matching, best first (portal.search_backend), ten a page.

    The same queries whatever is found: the ranking, then the page's results as plain pages with their
    kind and the summary of whichever kind of page each is (`summaries`), not a query per kind."""
    # PostgreSQL stores and compares no NUL character: one in the query would be a database error.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    pages = Page.objects.live().public()
    ids = ranked_ids(pages, query) if query else []
    paginator = Paginator(ids, 10)
    try:
        page_obj = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page_obj = paginator.page(1)

    found = pages.filter(pk__in=list(page_obj) or [0]).select_related("content_type")
    found = found.annotate(summary=summaries()).in_bulk()
    results = [found[pk] for pk in page_obj if pk in found]
    for result in results:  # what kind of page, from the row read (not one content type query a kind)
        model = result.content_type.model_class()
        result.kind = model.get_verbose_name() if model else ""
    vary_on_query(request, [("q", query), ("page", page_obj.number)])
    return render(
        request,
        "search/search.html",
        {"query": query, "results": page_obj, "pieces": results, "result_count": paginator.count},
    )


def summaries():
    """A page's `summary`, for every kind of page that has one (one subquery each, in one query)."""
    found = [
        Subquery(model.objects.filter(pk=OuterRef("pk")).values("summary")[:1])
        for model in get_page_models()
        if any(field.name == "summary" for field in model._meta.local_fields)
    ]
    if not found:
        return Value("", output_field=TextField())
    return Coalesce(*found, Value(""), output_field=TextField())


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: whatever failed may be what they need.
    return HttpResponseServerError(loader.get_template("500.html").render())


# Paths kept out of search engines: the admin, signed-in and personal pages, signed links, internal search
# and machine endpoints. Each is a prefix of portal/urls.py (tests/home/test_discovery.py checks them).
ROBOTS_DISALLOW = [
    "/admin/",
    "/django-admin/",
    "/account/",
    "/involvement/",
    "/events/manage/",
    "/search/",
    "/api/",
    "/stripe/",
    "/library/*/export.",
]
# Addresses with fixed names (robots.txt, the manifest, /favicon.ico) change rarely but may change: a day.
FIXED_NAME_MAX_AGE = 60 * 60 * 24


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /", ""]
    lines.append(f"Sitemap: {seo.absolute(request, reverse('sitemap'))}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=FIXED_NAME_MAX_AGE)
    return response


@require_GET
def web_manifest(request):
    """The web app manifest: the site's name and colours and its icons (home/brand.py)."""
    site = seo.site_settings(request)
    icons = [
        {"src": static(f"brand/{name}"), "sizes": f"{size}x{size}", "type": "image/png"}
        | ({"purpose": "maskable"} if maskable else {})
        for name, (size, maskable) in brand.PNG_ICONS.items()
        if name != "apple-touch-icon.png"
    ]
    icons.append({"src": static("brand/icon.svg"), "sizes": "any", "type": "image/svg+xml"})
    manifest = {
        "name": site.organisation_name,
        "short_name": site.organisation_name[:30],
        "description": seo.trim(site.site_description),
        "lang": "en-GB",
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "background_color": brand.PAPER,
        "theme_color": brand.BRAND,
        "icons": icons,
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    patch_cache_control(response, public=True, max_age=FIXED_NAME_MAX_AGE)
    return response


@require_GET
def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for without reading the page: sent on to the
    versioned file (cached for a year by the static files server)."""
    response = HttpResponseRedirect(static("brand/favicon.ico"))
    patch_cache_control(response, public=True, max_age=FIXED_NAME_MAX_AGE)
    return response
