"""Purging a CDN or Varnish in front of the site when a page is published, unpublished or moved.

Wagtail's ``wagtail.contrib.frontend_cache`` purges the page's own address on publish and unpublish;
this adds the pages that list it: its ancestors (the library, the events index, the home page's
latest sections), and on a move the old listing too. Snippet and settings edits reach a shared cache
in front within ``PAGE_CACHE_SHARED_SECONDS`` (its ``s-maxage``); the app's own page cache is cleared
at once (portal/pagecache.py).
"""

from django.conf import settings
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move


def _listing_pages(page):
    return Page.objects.ancestor_of(page).filter(depth__gt=1).live()


def purge_listings(instance, **kwargs):
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    batch = PurgeBatch()
    batch.add_pages(_listing_pages(instance))
    batch.purge()


def purge_after_move(instance, url_path_before, url_path_after, **kwargs):
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None) or url_path_before == url_path_after:
        return
    batch = PurgeBatch()
    page = instance.specific_deferred
    if page.live:
        batch.add_page(page)  # its new address
        parts = page.get_url_parts()
        if parts is not None:
            _site_id, root_url, new_path = parts
            root_path = url_path_after[: len(url_path_after) - len(new_path)]
            if url_path_before.startswith(root_path):
                batch.add_url(root_url + url_path_before[len(root_path) :])  # its old address
        old_parent = kwargs.get("parent_page_before")
        if old_parent is not None:
            batch.add_pages(_listing_pages(old_parent) | Page.objects.filter(pk=old_parent.pk).live())
        batch.add_pages(_listing_pages(page))
    batch.purge()


def connect_signals():
    page_published.connect(purge_listings, dispatch_uid="frontend-purge-published")
    page_unpublished.connect(purge_listings, dispatch_uid="frontend-purge-unpublished")
    post_page_move.connect(purge_after_move, dispatch_uid="frontend-purge-moved")
