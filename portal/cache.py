"""The page cache: whole anonymous pages kept per address, purged per address, checked in the database.

Served and stored: GET requests without session, messages or ``Authorization``, outside
``PAGE_CACHE_EXCLUDED_PATHS``; 200 answers that set no cookie or message, are not private and hold no
real CSRF token (forms carry a placeholder, filled in per visitor on the way out).
Keys: the release, host, path and *known* query parameters (page types' ``cache_query_params`` and
``PAGE_CACHE_QUERY_PARAMS``), sorted, empty values and ``page=1`` dropped. Unknown parameters (``utm_*``,
junk) share the page without them: an answer is stored only when the request had no other parameter and
the page said (``vary_on_query``) it rendered exactly those. Free text (``q``) shares
``PAGE_CACHE_SEARCH_SLOTS`` slots per path, so random searches cannot grow the cache.
Correct by the database, fast by the cache: a purge is a ``CachePurge`` row written when the change
commits. An entry keeps the last purge id seen before its render began and is served only while no purge
of its path (or of the whole site, ``"*"``) came after: a Redis that was unreachable, flushed or restored
never brings a page back. Writes nobody mapped purge the whole site; services name what they change with
``purging(...)``; saving, publishing, unpublishing, moving or deleting a page purges its address, its
ancestors' (the listings above it) and ``PAGE_CACHE_LISTING_PATHS``. After a soft purge one visitor
renders while others get the previous copy for at most ``PAGE_CACHE_STALE_SECONDS``; unpublishing,
deleting, moving and view restrictions purge hard (never stale).
"""

import hashlib
import importlib.metadata
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.context_processors import csrf as django_csrf
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe, urlencode

logger = logging.getLogger(__name__)
CSRF_PLACEHOLDER = "pagecache-csrf-placeholder-2c6f0e"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
SOFT, HARD = 1, 2
_local, _lock = threading.local(), threading.Lock()
_pending, _memo = {}, {"logged": {}, "pruned": 0.0}  # paths to purge at the next commit; values made once


def log_once_a_minute(what, exc):
    if time.monotonic() - _memo["logged"].get(what, -60.0) >= 60:
        _memo["logged"][what] = time.monotonic()
        logger.error("%s is unavailable (logged once a minute): %r", what, exc)


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache that never raises: a Redis that is down or slow (short socket timeouts in
    ``OPTIONS``) answers as an empty cache and is left alone for ``RETRY_SECONDS``, so an outage costs
    requests nothing. Wagtail's own code (``Site.find_for_request``) reads the default cache too."""

    RETRY_SECONDS = 5.0
    _down_until = 0.0

    def _soft(self, name, fallback, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except Exception as exc:  # whatever the client raises, the cache is a miss
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                log_once_a_minute("the shared cache", exc)
        return fallback() if fallback in (dict, list) else fallback

    def get(self, key, default=None, version=None):
        return self._soft("get", default, key, default, version)


for _name, _fallback in (("get_many", dict), ("has_key", False), ("add", False), ("set", None),
                         ("set_many", list), ("touch", False), ("delete", False), ("delete_many", None),
                         ("clear", None)):  # fmt: skip
    setattr(
        FailSoftRedisCache, _name, lambda self, *a, _n=_name, _f=_fallback, **k: self._soft(_n, _f, *a, **k)
    )


# --- purges -------------------------------------------------------------------------------------


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def page_paths(page):
    """A page's address and its ancestors' on every site holding it (Wagtail's cached site roots), and
    what the ``page_cache_paths`` hooks say lists it elsewhere (a feed)."""
    from wagtail import hooks
    from wagtail.models import Site

    url_path, found = getattr(page, "url_path", None) or "", set()
    for _site_id, root_path, _root_url, _language in Site.get_site_root_paths():
        if url_path.startswith(root_path):
            parts = [p for p in url_path[len(root_path) :].split("/") if p]
            found.update("/" + "".join(f"{p}/" for p in parts[:n]) for n in range(len(parts) + 1))
    return found.union(*(fn(page) for fn in hooks.get_hooks("page_cache_paths")))


def purge(*targets, hard=False, listings=False):
    """Purge pages (with their ancestors) or paths (``"*"``: the whole site) when the transaction commits
    (at once outside one); ``listings`` adds ``PAGE_CACHE_LISTING_PATHS``. A CDN in front
    (``WAGTAILFRONTENDCACHE``) is sent the same addresses."""
    paths = set(settings.PAGE_CACHE_LISTING_PATHS) if listings else set()
    for target in targets:
        paths |= {target} if isinstance(target, str) else page_paths(target)
    level = HARD if hard else SOFT
    if transaction.get_connection().in_atomic_block:
        # Written with the change (it commits or rolls back with it) and again once it has committed,
        # so a render that began before the commit, whatever ids it saw, is older than a purge.
        _write({path: level for path in paths}, frontend=False)
        with _lock:
            for path in paths:
                _pending[path] = max(level, _pending.get(path, 0))
        # The first callback to run writes all that is pending: a rolled-back transaction's paths go
        # with the next commit (a purge too many, never one too few).
        transaction.on_commit(_write_pending, robust=True)
    else:
        _write({path: level for path in paths})


def _write_pending():
    with _lock:
        pending = dict(_pending)
        _pending.clear()
    _write(pending)


def _write(pending, frontend=True):
    from .models import CachePurge

    if not pending:
        return
    CachePurge.objects.bulk_create([CachePurge(address=_digest(p), level=lv) for p, lv in pending.items()])
    if time.monotonic() - _memo["pruned"] > 600:  # entries live _ttl(): older purges concern none
        _memo["pruned"] = time.monotonic()
        CachePurge.objects.filter(created__lt=timezone.now() - timedelta(seconds=2 * _ttl())).delete()
    paths = sorted(path for path in pending if path != "*")
    if frontend and paths and getattr(settings, "WAGTAILFRONTENDCACHE", None):
        from wagtail.contrib.frontend_cache.utils import PurgeBatch
        from wagtail.models import Site

        roots = sorted({root_url for _id, _path, root_url, _lang in Site.get_site_root_paths()})
        PurgeBatch([root + path for root in roots for path in paths]).purge()


@contextmanager
def purging(*targets, hard=False):
    """Writes inside purge these pages or paths instead of the whole site."""
    _local.mapped = getattr(_local, "mapped", 0) + 1
    try:
        yield
        purge(*targets, hard=hard)
    finally:
        _local.mapped -= 1


def _on_write(sender, instance=None, raw=False, update_fields=None, **kwargs):
    from wagtail.models import Page, PageViewRestriction, Site

    meta, ignored = sender._meta, {label.lower() for label in settings.PAGE_CACHE_IGNORE}
    if raw or sender.__module__ == "__fake__" or getattr(_local, "mapped", 0):  # fixtures, migrations
        return
    if meta.app_label in ignored or meta.label_lower in ignored:
        return
    if update_fields and set(update_fields) <= {"last_login"}:
        return
    if isinstance(instance, Page):  # drafts too: one render too many at most
        purge(instance, hard=kwargs.get("signal") is post_delete or not instance.live, listings=True)
    else:
        purge("*", hard=issubclass(sender, PageViewRestriction | Site))


def _on_m2m(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        _on_write(type(instance), instance=instance)


def _on_page_event(sender, instance, url_path_before=None, **kwargs):
    purge(instance, hard=not instance.live, listings=True)
    if url_path_before:  # a move: its old address and the old listings above it
        purge(type(instance)(url_path=url_path_before), hard=True)


def _on_task_finished(sender, task_result, **kwargs):
    """The search index is written by a task (a worker's raw SQL, no model signal): searches follow it."""
    if task_result.task.module_path == "modelsearch.tasks.insert_or_update_object_task":
        from django.apps import apps
        from wagtail.models import Page

        app_label, model_name, pk = task_result.args
        is_page = issubclass(apps.get_model(app_label, model_name), Page)
        page = Page.objects.filter(pk=pk).only("url_path").first() if is_page else None
        purge(*([page] if page else ["*"]), listings=True)


def connect_signals():
    from django_tasks.signals import task_finished
    from wagtail.signals import page_published, page_unpublished, post_page_move

    task_finished.connect(_on_task_finished, dispatch_uid="pagecache-index-task")
    post_save.connect(_on_write, dispatch_uid="pagecache-save")
    post_delete.connect(_on_write, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")
    for name, signal in (("pub", page_published), ("unpub", page_unpublished), ("move", post_page_move)):
        signal.connect(_on_page_event, dispatch_uid=f"pagecache-{name}")


# --- keys ---------------------------------------------------------------------------------------


def _ttl():
    return settings.PAGE_CACHE_SECONDS + settings.PAGE_CACHE_STALE_SECONDS


def release():
    """The deploy: ``RELEASE_ID``, or a hash of Wagtail's version and the project's code, templates and
    static sources (``PAGE_CACHE_RELEASE_APPS``): a deploy never serves old pages."""
    if "release" not in _memo:
        from django.apps import apps

        given = os.environ.get("RELEASE_ID", "")
        digest = hashlib.sha256(given.encode() + importlib.metadata.version("wagtail").encode())
        roots = [Path(apps.get_app_config(app).path) for app in settings.PAGE_CACHE_RELEASE_APPS]
        for root in [] if given else roots + [Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", ())]:
            for file in sorted(root.rglob("*")):
                if file.suffix in {".py", ".html", ".txt", ".xml", ".css", ".js", ".svg"}:
                    digest.update(str(file.relative_to(root)).encode() + file.read_bytes())
        _memo["release"] = digest.hexdigest()[:16]
    return _memo["release"]


def known_params():
    if "known" not in _memo:
        from wagtail.models import get_page_models

        names = {p for model in get_page_models() for p in getattr(model, "cache_query_params", ())}
        _memo["known"] = frozenset(names | set(settings.PAGE_CACHE_QUERY_PARAMS))
    return _memo["known"]


def _normalise(pairs):
    pairs = {(k, v.strip()) for k, v in pairs if v.strip()}
    return urlencode(sorted(pairs - {("page", "1")}))


def _query(request, known_only=True, slot=False):
    known, pairs = known_params(), []
    for name in request.GET:
        for value in request.GET.getlist(name):
            if slot and name == "q" and value.strip():
                name, value = (
                    "q~",
                    str(int(_digest(value.strip())[:8], 16) % settings.PAGE_CACHE_SEARCH_SLOTS),
                )
            if name in known or name == "q~" or not known_only:
                pairs.append((name, value))
    return _normalise(pairs)


def vary_on_query(request, pairs):
    """A page's word on the query it rendered: the valid, non-default ``(name, value)`` pairs."""
    request._page_cache_query = _normalise((k, str(v)) for k, v in pairs)


def cache_until(request, moment):
    """What the page shows changes at `moment` (an event starts, a day ends): keep it no longer."""
    request._page_cache_until = min(moment, getattr(request, "_page_cache_until", moment))


# --- the middleware -----------------------------------------------------------------------------


def csrf(request):
    """Context processor replacing Django's ``csrf``: a placeholder on pages that may be stored."""
    if getattr(request, "_page_cache_candidate", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return django_csrf(request)


def request_is_cacheable(request):
    cookies = {settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGES_COOKIE_NAME", "messages")}
    bypass = getattr(settings, "PAGE_CACHE_BYPASS_HEADER", None)  # the bench settings only
    return not (
        request.method != "GET"
        or not settings.PAGE_CACHE_ENABLED
        or "HTTP_AUTHORIZATION" in request.META
        or cookies & set(request.COOKIES)
        or (bypass and bypass in request.META)
        or request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS))
    )


def response_is_storable(request, response):
    """May this response be served to every anonymous visitor?"""
    session, user = getattr(request, "session", None), getattr(request, "user", None)
    return not (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or any(w in response.get("Cache-Control", "").lower() for w in ("private", "no-store", "no-cache"))
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a real CSRF token is in the page
        or (session is not None and (session.modified or session.session_key))
        or getattr(getattr(request, "_messages", None), "added_new", False)
        or (user is not None and user.is_authenticated)
    )


def _finish(request, response, shared):
    """Fills in this visitor's CSRF token and says who may keep the answer."""
    patch_vary_headers(response, ["Cookie"])
    if not response.streaming and _PLACEHOLDER in response.content:
        response.content = response.content.replace(_PLACEHOLDER, get_token(request).encode())
        shared = None  # it carries this visitor's token now
    if "Cache-Control" in response:
        return response
    if shared:
        seconds = settings.PAGE_CACHE_BROWSER_SECONDS, settings.PAGE_CACHE_SHARED_SECONDS
        patch_cache_control(response, public=True, max_age=seconds[0], s_maxage=seconds[1])
        patch_cache_control(response, stale_while_revalidate=settings.PAGE_CACHE_STALE_SECONDS)
    else:
        patch_cache_control(response, private=True, **{"no_cache" if shared is None else "no_store": True})
    return response


class PageCacheMiddleware:
    """Serves and stores anonymous pages (the module's docstring). Sits just inside Django's CSRF
    middleware, which sets the CSRF cookie for a page whose token was filled in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_is_cacheable(request):
            return _finish(request, self.get_response(request), shared=False)
        from .models import CachePurge

        cache, query, where = caches[settings.PAGE_CACHE_ALIAS], _query(request), request.get_host()
        address = f"{where}{request.path_info}?{query}"
        key = f"page:{release()}:{_digest(f'{where}{request.path_info}?{_query(request, slot=True)}')}"
        entry, now = cache.get(key), timezone.now()
        if entry is not None and entry["address"] == address and now < entry["until"]:
            paths = (_digest(request.path_info), _digest("*"))
            purges = CachePurge.objects.filter(address__in=paths, pk__gt=entry["stamp"])
            found = purges.aggregate(level=Max("level"), at=Max("created"))
            if found["level"] is None:
                return self._serve(request, entry, "hit")
            recent = now - found["at"] < timedelta(seconds=settings.PAGE_CACHE_STALE_SECONDS)
            if found["level"] == SOFT and recent and not cache.add(f"{key}:rendering", 1, 30):
                return self._serve(request, entry, "stale")  # another visitor is rendering it
        stamp = CachePurge.objects.aggregate(last=Max("pk"))["last"] or 0  # before the render reads
        request._page_cache_candidate = True
        response = self.get_response(request)
        until = min(
            now + timedelta(seconds=_ttl()), getattr(request, "_page_cache_until", now + timedelta(1))
        )
        said = getattr(request, "_page_cache_query", "")
        if (
            response_is_storable(request, response)
            and _query(request, False) == query == said
            and until > now
        ):
            headers = [
                (k, v) for k, v in response.items() if k.lower() not in {"x-page-cache", "content-length"}
            ]
            entry = {"address": address, "stamp": stamp, "until": until, "status": response.status_code}
            cache.set(key, {**entry, "headers": headers, "content": response.content}, _ttl())
            cache.delete(f"{key}:rendering")
            response["X-Page-Cache"] = "miss"
            return _finish(request, response, shared=True)
        return _finish(request, response, shared=False)

    def _serve(self, request, entry, how):
        response = HttpResponse(entry["content"], status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["X-Page-Cache"] = how
        _finish(request, response, shared=True)
        modified = response.get("Last-Modified")
        modified = parse_http_date_safe(modified) if modified else None
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=modified, response=response
        )
