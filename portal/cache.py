"""The page cache: whole anonymous pages kept per address, purged per address, checked in the database.

A purge is a ``CachePurge`` row written with the change and again at commit; a cached page is served only
while no purge of its address (or of ``"*"``, the whole site) is newer than its render. Keys: the release,
host, path and known query parameters. docs/architecture.md ("The page cache") tells the whole design."""

import functools
import hashlib
import importlib.metadata
import os
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.context_processors import csrf as django_csrf
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe, urlencode

CSRF_PLACEHOLDER = "pagecache-csrf-placeholder-2c6f0e"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
SOFT, HARD = 1, 2
_DAY, _NOT_KEPT = timedelta(days=1), {"x-page-cache", "content-length"}
_SOURCES = {".py", ".html", ".txt", ".xml", ".css", ".js", ".svg"}
_local = threading.local()  # .pending: paths to purge again at this thread's next commit
_memo = {"pruned": 0.0, "seen": 0, "site": {}}  # this process's: last purge id seen, site values


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def page_paths(page):
    """A page's address, its ancestors' (Wagtail's cached site roots) and its ``page_cache_paths`` hooks'."""
    from wagtail import hooks
    from wagtail.models import Site

    url_path, found = getattr(page, "url_path", None) or "", set()
    for _site_id, root_path, _root_url, _language in Site.get_site_root_paths():
        if url_path.startswith(root_path):
            parts = [p for p in url_path[len(root_path) :].split("/") if p]
            found.update("/" + "".join(f"{p}/" for p in parts[:n]) for n in range(len(parts) + 1))
    return found.union(*(fn(page) for fn in hooks.get_hooks("page_cache_paths")))


def purge(*targets, hard=False, listings=False):
    """Purge pages (with their ancestors) or paths (``"*"``: the whole site); ``listings`` adds
    ``PAGE_CACHE_LISTING_PATHS``. A CDN in front (``WAGTAILFRONTENDCACHE``) is sent the same addresses."""
    paths = set(settings.PAGE_CACHE_LISTING_PATHS) if listings else set()
    for target in targets:
        paths |= {target} if isinstance(target, str) else page_paths(target)
    level, in_transaction = HARD if hard else SOFT, transaction.get_connection().in_atomic_block
    _write(dict.fromkeys(paths, level), frontend=not in_transaction)
    if in_transaction:
        # Written with the change (it stands or falls with it) and again once it has committed, so a
        # render that began before the commit, whatever ids it saw, is older than a purge. The first
        # callback to run writes what is pending; a rolled-back transaction's paths go with the next.
        pending = _local.__dict__.setdefault("pending", {})
        pending.update({path: max(level, pending.get(path, 0)) for path in paths})
        transaction.on_commit(lambda: _write(_local.__dict__.pop("pending", {})), robust=True)


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

    skip = raw or sender.__module__ == "__fake__" or getattr(_local, "mapped", 0)
    if skip or update_fields == {"last_login"}:
        return  # fixtures, migrations' models, writes a service mapped, sign-ins
    if {sender._meta.app_label, sender._meta.label_lower} & {x.lower() for x in settings.PAGE_CACHE_IGNORE}:
        return  # never shown on a page
    if isinstance(instance, Page):  # drafts too: one render too many at most
        purge(instance, hard=kwargs.get("signal") is post_delete or not instance.live, listings=True)
    else:
        purge("*", hard=issubclass(sender, PageViewRestriction | Site))


def _on_page_event(sender, instance, url_path_before=None, **kwargs):
    purge(instance, hard=not instance.live, listings=True)
    if url_path_before:  # a move: its old address and the old listings above it
        purge(type(instance)(url_path=url_path_before), hard=True)


def _on_m2m(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        _on_write(type(instance), instance)


def connect_signals():
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_on_write, dispatch_uid="pagecache-save")
    post_delete.connect(_on_write, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")
    for name, signal in (("pub", page_published), ("unpub", page_unpublished), ("move", post_page_move)):
        signal.connect(_on_page_event, dispatch_uid=f"pagecache-{name}")


def _ttl():
    return settings.PAGE_CACHE_SECONDS + settings.PAGE_CACHE_STALE_SECONDS


@functools.cache
def release():
    """The deploy: ``RELEASE_ID``, or a hash of Wagtail's version and ``PAGE_CACHE_RELEASE_APPS``' files."""
    from django.apps import apps

    given = os.environ.get("RELEASE_ID", "")
    digest = hashlib.sha256(given.encode() + importlib.metadata.version("wagtail").encode())
    roots = [Path(apps.get_app_config(app).path) for app in settings.PAGE_CACHE_RELEASE_APPS]
    for root in [] if given else roots + [Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", ())]:
        for file in sorted(f for f in root.rglob("*") if f.suffix in _SOURCES):
            digest.update(str(file.relative_to(root)).encode() + file.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def known_params():
    from wagtail.models import get_page_models

    names = {p for model in get_page_models() for p in getattr(model, "cache_query_params", ())}
    return frozenset(names | set(settings.PAGE_CACHE_QUERY_PARAMS))


def _normalise(pairs):
    pairs = {(k, v.strip()) for k, v in pairs if v.strip()}
    return urlencode(sorted(pairs - {("page", "1")}))


def _query(request, known_only=True, slot=False):
    """The request's (known) parameters, normalised; with `slot`, free text as one of a few slots."""
    known, slots = known_params(), settings.PAGE_CACHE_SEARCH_SLOTS
    pairs = [(n, v) for n in request.GET for v in request.GET.getlist(n) if n in known or not known_only]
    if slot:  # free text: one of a few slots (the entry's address tells them apart)
        pairs = [(n, str(int(_digest(v)[:8], 16) % slots) if n == "q" and v.strip() else v) for n, v in pairs]
    return _normalise(pairs)


def _look(request):
    """The newest purge's id; a whole-site purge since the last look drops ``site_value``'s values."""
    from .models import CachePurge

    whole = Max("pk", filter=Q(address=_digest("*")))
    found = CachePurge.objects.filter(pk__gt=_memo["seen"]).aggregate(last=Max("pk"), whole=whole)
    if found["whole"]:
        _memo["site"] = {}
    _memo["seen"], request._site_seen = max(_memo["seen"], found["last"] or 0), True
    return _memo["seen"]


def site_value(request, name, build):
    """A value every page shows (settings, the menu), kept by this process until the next whole-site
    purge, which every write nobody mapped makes: checked once per request, by the miss's own query."""
    if not getattr(request, "_site_seen", False):
        _look(request)
    values = _memo["site"]  # a purge seen meanwhile replaces the dict: this value is then dropped
    return values[name] if name in values else values.setdefault(name, build())


def vary_on_query(request, pairs):
    """A page's word on the query it rendered: the valid, non-default ``(name, value)`` pairs."""
    request._page_cache_query = _normalise((k, str(v)) for k, v in pairs)


def cache_until(request, moment):
    """What the page shows changes at `moment` (an event starts, a day ends): keep it no longer."""
    request._page_cache_until = min(moment, getattr(request, "_page_cache_until", moment))


def csrf(request):
    """Context processor replacing Django's ``csrf``: a placeholder on pages that may be stored."""
    if getattr(request, "_page_cache_candidate", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return django_csrf(request)


def request_is_cacheable(request):
    cookies = {settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGES_COOKIE_NAME", "messages")}
    headers = {"HTTP_AUTHORIZATION", getattr(settings, "PAGE_CACHE_BYPASS_HEADER", "")}  # bypass: bench only
    excluded = request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS))
    sent = cookies & set(request.COOKIES) or headers & set(request.META)
    return request.method == "GET" and settings.PAGE_CACHE_ENABLED and not (sent or excluded)


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
        stamp = _look(request)  # before the render reads
        request._page_cache_candidate = True
        response = self.get_response(request)
        until = min(now + timedelta(seconds=_ttl()), getattr(request, "_page_cache_until", now + _DAY))
        said = _query(request, known_only=False) == query == getattr(request, "_page_cache_query", "")
        if said and until > now and response_is_storable(request, response):
            headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_KEPT]
            entry = {"address": address, "stamp": stamp, "until": until, "status": response.status_code}
            cache.set(key, {**entry, "headers": headers, "content": response.content}, _ttl())
            cache.delete(f"{key}:rendering")
            response["X-Page-Cache"] = "miss"
            return _finish(request, response, shared=True)
        return _finish(request, response, shared=False)

    def _serve(self, request, entry, how):
        headers = {**dict(entry["headers"]), "X-Page-Cache": how}
        response = HttpResponse(entry["content"], status=entry["status"], headers=headers)
        _finish(request, response, shared=True)
        modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, response.get("ETag"), modified, response)
