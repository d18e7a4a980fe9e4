"""The shared page cache: whole responses for anonymous GET requests, always right.

How it stays right: every cached entry's key contains the *content generation*, a counter kept in the
shared cache. Any write to a model that can appear on a public page (every model except those listed in
``PAGE_CACHE_IGNORE``) raises the generation, at once and again when the transaction commits, so every
page rendered before the change is unreachable from then on. A page rendered while a change was still
uncommitted was stored under the generation read when its request began, which the commit has already
left behind. Wagtail's page moves (raw SQL in treebeard) and the publish/unpublish signals raise it too.
Code that changes content with ``QuerySet.update()`` or ``bulk_create()`` (no model signals) calls
``content_changed()`` itself.

Who is served from the cache: GET requests with no session cookie, no messages cookie and no
``Authorization`` header, outside ``PAGE_CACHE_EXCLUDED_PATHS``. A response is stored only when it is a
200 that sets no cookie, adds no message, writes no session, is not marked private or no-store, and used
no real CSRF token. Forms still work: for such a request the ``csrf_token`` context variable is a
placeholder, and each response (fresh or from the cache) gets a fresh token for its own visitor put in
its place, with the CSRF cookie set by Django's CSRF middleware.

The same generation keys ``cached_value()``, for things that change rarely (navigation, settings,
taxonomy options) and must never be stale.
"""

import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.context_processors import csrf as django_csrf
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
CSRF_PLACEHOLDER = "pagecache-csrf-placeholder-2c6f0e"
_CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
_REQUEST_FLAG = "_page_cache_candidate"
_local = threading.local()


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


# --- the content generations -------------------------------------------------------------------------
#
# Two counters. The *content generation* rises on every write that may show on a public page: it keys
# whole pages. The *site generation* rises on the same writes except those to the "activity" models
# (``PAGE_CACHE_ACTIVITY``: registrations, applications), which change counts such as "places left" but
# no page's text, menu, taxonomy or search index. Values that never read those models
# (``cached_value(..., stable=True)``: the library's facet index, menus, settings, page fragments) key
# on the site generation, so a busy week of registrations leaves them warm.

SITE_GENERATION_KEY = "pagecache:generation:site"
_KEYS = (GENERATION_KEY, SITE_GENERATION_KEY)


def _generations():
    remembered = getattr(_local, "generations", None)
    if remembered is not None:
        return remembered
    cache = _cache()
    values = cache.get_many(_KEYS)
    for key in _KEYS:
        if values.get(key) is None:
            cache.add(key, _first_value(), timeout=None)
            values[key] = cache.get(key, 1)
    found = (values[GENERATION_KEY], values[SITE_GENERATION_KEY])
    if getattr(_local, "in_request", False):
        _local.generations = found
    return found


def _first_value():
    """Where a generation starts: the clock in microseconds, so that a generation whose key was lost
    (evicted, the cache flushed) starts beyond every value it had before, and no entry stored under an
    old value, in the shared cache or in a process, can be reached again."""
    return time.time_ns() // 1000


def generation():
    """The current content generation. Read once per request (the middleware keeps it
    for the request's duration, forgetting it as soon as this process changes something)."""
    return _generations()[0]


def site_generation():
    """The current site generation: as ``generation()``, but left alone by activity (registrations)."""
    return _generations()[1]


def _bump(keys=_KEYS):
    _local.generations = None
    cache = _cache()
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # the key is missing (first use, or evicted): start beyond every old value
            cache.add(key, _first_value(), timeout=None)
            cache.incr(key)
        except Exception:  # the cache is down: nothing was served from it either
            logger.exception("could not raise the page cache generation")


def _bump_registered(marker):
    return any(getattr(item[1], marker, False) for item in connection.run_on_commit)


def _bump_on_commit():
    _bump()


def _bump_activity_on_commit():
    _bump((GENERATION_KEY,))


_bump_on_commit._page_cache_bump = True
_bump_activity_on_commit._page_cache_activity_bump = True


def content_changed(**_ignored):
    """Everything a visitor may see could have changed: raise both generations now and after commit.

    Call it after changing content without model signals (``QuerySet.update()``, ``bulk_create()``).
    Accepts and ignores signal arguments, so it can be connected to any signal directly.
    """
    _bump()
    if connection.in_atomic_block and not _bump_registered("_page_cache_bump"):
        transaction.on_commit(_bump_on_commit, robust=True)


def activity_changed(**_ignored):
    """Only activity changed (registrations, applications: counts, not text): raise the content
    generation, now and after commit, and leave the site generation alone."""
    _bump((GENERATION_KEY,))
    if connection.in_atomic_block and not _bump_registered("_page_cache_activity_bump"):
        transaction.on_commit(_bump_activity_on_commit, robust=True)


def _activity_labels():
    return {label.lower() for label in getattr(settings, "PAGE_CACHE_ACTIVITY", ())}


def _changed(model):
    meta = model._meta
    activity = _activity_labels()
    if meta.app_label.lower() in activity or meta.label_lower in activity:
        activity_changed()
    else:
        content_changed()


def _ignored_labels():
    return {label.lower() for label in getattr(settings, "PAGE_CACHE_IGNORE", ())}


def _is_ignored(model, ignored):
    meta = model._meta
    return meta.app_label.lower() in ignored or meta.label_lower in ignored


def _on_save(sender, update_fields=None, raw=False, **kwargs):
    if raw or _is_ignored(sender, _ignored_labels()):
        return
    if update_fields and set(update_fields) <= {"last_login"}:
        return  # a sign-in: never shown on a page
    _changed(sender)


def _on_delete(sender, **kwargs):
    if not _is_ignored(sender, _ignored_labels()):
        _changed(sender)


def _on_m2m(sender, action, instance, **kwargs):
    if action.startswith("post_") and not _is_ignored(type(instance), _ignored_labels()):
        _changed(type(instance))


# Tasks whose writes change what pages show without a model signal: the search index's update (a
# worker's raw SQL on PostgreSQL), which rankings kept under the site generation follow.
CONTENT_TASKS = ("modelsearch.tasks.insert_or_update_object_task",)


def _on_task_finished(sender, task_result, **kwargs):
    if task_result.task.module_path in CONTENT_TASKS:
        content_changed()


def connect_signals():
    """Called from PortalConfig.ready(): every model's writes, and Wagtail's page signals."""
    from django_tasks.signals import task_finished
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_on_save, dispatch_uid="pagecache-save")
    post_delete.connect(_on_delete, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")
    page_published.connect(content_changed, dispatch_uid="pagecache-published")
    page_unpublished.connect(content_changed, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(content_changed, dispatch_uid="pagecache-moved")
    task_finished.connect(_on_task_finished, dispatch_uid="pagecache-task-finished")
    _skip_view_restriction_queries()


def _skip_view_restriction_queries():
    """Wagtail checks a page's view restrictions on every request with two queries (its ancestors'
    aliases, then their restrictions). When the site has no restriction at all (read from the shared
    cache, cleared by any change to one), the answer is none without asking."""
    from wagtail.models import Page, PageViewRestriction

    original = Page.get_view_restrictions
    if getattr(original, "_page_cache_wrapped", False):
        return

    def get_view_restrictions(self):
        if not _restricted_paths():
            return PageViewRestriction.objects.none()
        return original(self)

    get_view_restrictions._page_cache_wrapped = True
    Page.get_view_restrictions = get_view_restrictions


# --- values cached until the content changes --------------------------------------------------------


_MISSING = object()


# Values kept in this process as well (``local=True``), by their full key (which holds the generation,
# so an entry is never stale, only unused); beyond this many, the least recently used go first (the
# events' rows, renewed by every registration, must not push out the library's index).
_LOCAL_VALUES_MAX = 64
_local_values = {}
_local_values_lock = threading.Lock()


def cached_value(name, compute, timeout=None, stable=False, local=False):
    """``compute()``'s result, cached until the next content change (or ``timeout`` seconds).

    ``stable=True``: until the next change of the *site* generation, for values that never read the
    activity models (``PAGE_CACHE_ACTIVITY``). ``local=True``: also kept in this process, for large
    values (an index) that would cost more to unpickle from the shared cache on every request.
    """
    key = f"pagecache:value:{site_generation() if stable else generation()}:{name}"
    if local:
        value = _local_values.get(key, _MISSING)
        if value is not _MISSING:
            with _local_values_lock:
                if key in _local_values:
                    _local_values[key] = _local_values.pop(key)  # now the most recently used
            return value
    cache = _cache()
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=timeout or getattr(settings, "PAGE_CACHE_VALUE_SECONDS", 3600))
    if local:
        with _local_values_lock:
            _local_values[key] = value
            while len(_local_values) > _LOCAL_VALUES_MAX:
                del _local_values[next(iter(_local_values))]
    return value


# --- the middleware ----------------------------------------------------------------------------------


def csrf(request):
    """Context processor replacing Django's ``csrf``: a placeholder on pages that may be cached."""
    if getattr(request, _REQUEST_FLAG, False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return django_csrf(request)


def request_is_cacheable(request):
    if request.method != "GET" or not getattr(settings, "PAGE_CACHE_ENABLED", True):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if getattr(settings, "MESSAGES_COOKIE_NAME", "messages") in request.COOKIES:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    bypass = getattr(settings, "PAGE_CACHE_BYPASS_HEADER", None)  # set by the bench settings only
    if bypass and bypass in request.META:
        return False
    return not request.path.startswith(tuple(getattr(settings, "PAGE_CACHE_EXCLUDED_PATHS", ())))


def _page_key(request, gen):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"pagecache:page:{gen}:{hashlib.sha256(address.encode()).hexdigest()}"


def _marked_uncacheable(response):
    value = response.get("Cache-Control", "").lower()
    return any(word in value for word in ("private", "no-store", "no-cache"))


def response_is_storable(request, response):
    """May this response be served to every anonymous visitor?"""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if _marked_uncacheable(response):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a real CSRF token is in the page (get_token was called directly)
    session = getattr(request, "session", None)
    if session is not None and (session.modified or session.session_key):
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and getattr(storage, "added_new", False):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _public_headers(response, placeholder):
    patch_vary_headers(response, ["Cookie"])
    if "Cache-Control" in response:
        return
    if placeholder:
        # The page carries this visitor's CSRF token: shared caches may not keep it.
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PAGE_CACHE_BROWSER_SECONDS,
            s_maxage=settings.PAGE_CACHE_SHARED_SECONDS,
            stale_while_revalidate=settings.PAGE_CACHE_STALE_SECONDS,
        )


def _private_headers(response):
    if "Cache-Control" not in response:
        patch_cache_control(response, private=True, no_store=True)


def _fill_token(request, content):
    if _CSRF_PLACEHOLDER_BYTES not in content:
        return content, False
    return content.replace(_CSRF_PLACEHOLDER_BYTES, get_token(request).encode()), True


class PageCacheMiddleware:
    """Serves and stores anonymous GET responses (see the module's docstring). Sits just inside
    Django's CSRF middleware, which then sets the CSRF cookie for a page whose token was filled in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _local.in_request, _local.generations = True, None
        try:
            return self._serve(request)
        finally:
            _local.in_request, _local.generations = False, None

    def _serve(self, request):
        site_for_request(request)
        if not request_is_cacheable(request):
            response = self.get_response(request)
            _private_headers(response)
            return response

        cache = _cache()
        try:
            gen = generation()
            key = _page_key(request, gen)
            entry = cache.get(key)
        except Exception:
            logger.exception("page cache unavailable")
            entry, key = None, None
        if entry is not None:
            status, headers, content = entry
            content, placeholder = _fill_token(request, content)
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            _public_headers(response, placeholder)
            last_modified = response.get("Last-Modified")
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(last_modified) if last_modified else None,
                response=response,
            )

        setattr(request, _REQUEST_FLAG, True)
        response = self.get_response(request)
        if key is not None and response_is_storable(request, response):
            headers = [
                (k, v) for k, v in response.items() if k.lower() not in {"x-page-cache", "content-length"}
            ]
            try:
                cache.set(key, (response.status_code, headers, response.content), settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.exception("page cache unavailable")
            response["X-Page-Cache"] = "miss"
            response.content, placeholder = _fill_token(request, response.content)
            _public_headers(response, placeholder)
        else:
            if not response.streaming and _CSRF_PLACEHOLDER_BYTES in getattr(response, "content", b""):
                response.content, _placeholder = _fill_token(request, response.content)
            _private_headers(response)
        return response


class CachedSettingMixin:
    """For a Wagtail site setting shown on every page: ``for_request`` (what templates use) reads it
    from the shared cache until the content next changes, instead of a query per request. Put it
    first in the bases: ``class SiteSettings(CachedSettingMixin, BaseSiteSetting)``."""

    @classmethod
    def for_request(cls, request):
        from wagtail.models import Site

        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name):
            return getattr(request, attr_name)
        site = Site.find_for_request(request)
        if site is None:
            return super().for_request(request)
        setting = cached_value(
            f"setting:{cls._meta.label_lower}:{site.pk}", lambda: cls.for_site(site), stable=True
        )
        setting._request = request
        setattr(request, attr_name, setting)
        return setting


def _restricted_paths():
    from wagtail.models import PageViewRestriction

    return cached_value(
        "restricted-paths",
        lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True)),
        stable=True,
    )


def public(queryset):
    """``queryset.public()`` (no page under a view restriction) with the restrictions read from the
    shared cache rather than queried on every request."""
    from django.db.models import Q

    private = Q()
    for path in _restricted_paths():
        private |= Q(path__startswith=path)
    return queryset.exclude(private) if private else queryset


def site_for_request(request):
    """Wagtail's ``Site.find_for_request``, cached per host until the content (sites) next changes,
    with the site's root page (as its own type) kept with it, so routing starts without a query."""
    from wagtail.models import Site

    def find():
        site = Site.find_for_request(request)
        if site is not None:
            site.root_page = site.root_page.specific
        return site

    if not hasattr(request, "_wagtail_site"):
        try:
            host = request.get_host()
        except Exception:  # a disallowed host: Wagtail answers as it would
            return Site.find_for_request(request)
        request._wagtail_site = cached_value(f"site:{host}", find, stable=True)
    return request._wagtail_site


def route_below(root, request, path_components):
    """What Wagtail's ``Page.route`` gives for a path below `root` that is a page's own address, with no
    query once the address is known: the page, read as its own type, is kept in the shared cache until
    the site's content next changes (an edit, a move, a new slug, publishing or unpublishing), and each
    request unpickles its own copy, so nothing one request sets on its page reaches another. None when
    the path is no page's address (a sub-route or a 404): the caller then routes as Wagtail does.
    Assumes, as is true of every page type here, that no page overrides ``route`` to answer for its
    descendants' addresses."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    def find():
        url_path = root.url_path + "/".join(path_components) + "/"
        found = (
            Page.objects.filter(url_path=url_path, path__startswith=root.path)
            .values_list("pk", "content_type_id")
            .first()
        )
        if found is None:
            return None
        model = ContentType.objects.get_for_id(found[1]).model_class()
        return model.objects.filter(pk=found[0]).first() if model is not None else None

    digest = hashlib.sha256("/".join(path_components).encode()).hexdigest()
    page = cached_value(f"route-page:{root.pk}:{digest}", find, stable=True)
    if page is None:
        return None
    return page.route(request, [])
