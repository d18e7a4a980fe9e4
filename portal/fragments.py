"""Kept pieces of listings: each item's HTML (a search result, a resource card) kept under the site
generation, fetched for a whole page in one `get_many`, so a page whose pieces are all kept reads none
of its objects. Pieces show only their object's content (the same for every visitor and host-relative
links per host), which the site generation follows; they are not kept when FRAGMENT_CACHE_ENABLED is
off (the query-count tests count the whole rendering).
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .pagecache import site_generation


def enabled():
    return getattr(settings, "FRAGMENT_CACHE_ENABLED", True)


def may_keep(request):
    """May what is rendered for `request` be kept for others? Never for previews (unpublished content)
    or for a signed-in person (it may carry what is theirs), nor when pieces are off."""
    user = getattr(request, "user", None)
    return (
        request is not None
        and not getattr(request, "is_preview", False)
        and not (user is not None and user.is_authenticated)
        and enabled()
    )


def store():
    """The shared cache pieces are kept in (the page cache's)."""
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def timeout():
    return getattr(settings, "PAGE_CACHE_VALUE_SECONDS", 3600)


def key_prefix(name):
    """Where pieces called `name` are kept under the current site generation."""
    return f"pagecache:fragment:{site_generation()}:{name}:"


def kept(name, values, render, seconds=None):
    """The piece called `name` for these `values` (everything it shows besides content): kept under
    the site generation, or `render()`ed and kept for `seconds` (default ``timeout()``). The caller
    checks ``may_keep`` first."""
    digest = hashlib.sha256("\x1f".join(str(value) for value in values).encode()).hexdigest()
    key = key_prefix(name) + digest
    cache = store()
    content = cache.get(key)
    if content is None:
        content = render()
        cache.set(key, content, seconds or timeout())
    return content


def kept_pieces(request, name, ids, load, template, context_name, versions=None, extra=None):
    """The HTML of each id's piece, in the order of `ids`.

    `load(ids)` returns the objects to render for the ids whose pieces are not kept (or all of them when
    pieces are off), each rendered with `template` as `context_name` (and `extra` in the context). An id
    whose object `load` no longer finds (gone since the ids were read) has no piece. `versions` maps
    each id to what its piece shows besides content (an event's seat count): part of its key, and
    `load` must return objects showing exactly that.
    """
    on = enabled()
    # Per host: a page's link is relative on its own site and absolute on another.
    host = hashlib.sha256(request.get_host().encode()).hexdigest()[:16]
    prefix = f"{key_prefix(name)}{host}:"

    def key(pk):
        return prefix + (f"{pk}:{versions[pk]}" if versions is not None else str(pk))

    cache = store()
    kept = cache.get_many([key(pk) for pk in ids]) if on else {}
    missing = [pk for pk in ids if key(pk) not in kept]
    if missing or not on:
        rendered = {
            key(obj.pk): render_to_string(template, {**(extra or {}), context_name: obj}, request=request)
            for obj in load(missing)
            if obj.pk in ids
        }
        if on and rendered:
            cache.set_many(rendered, timeout())
        kept.update(rendered)
    # Our own rendered HTML (escaped by the template engine when it was rendered).
    return [mark_safe(kept[key(pk)]) for pk in ids if key(pk) in kept]  # noqa: S308
