"""The cache is optional at run time: with Redis unreachable every page is rendered, sign-in and forms
work, counters fall back to each process; and purges live in the database, so a cache that missed a
purge (down for the process that unpublished) and comes back with its old contents serves nothing stale."""

import logging

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.urls import reverse

from portal.cache_backend import FailSoftRedisCache

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every call raises


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache_backend.FailSoftRedisCache", "LOCATION": UNREACHABLE},
        "counters": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE},
    }
    yield
    for alias in ("default", "counters"):
        caches[alias].close()


@pytest.fixture
def site(home_page, library, make_resource, taxonomy, event_factory, event_index):
    from opportunities.factories import OpportunityIndexPageFactory, OpportunityPageFactory

    resource = make_resource(title="Paying people fairly", topics=[taxonomy["payment"]])
    event = event_factory(title="Outage workshop", capacity=5)
    index = OpportunityIndexPageFactory(parent=home_page)
    opportunity = OpportunityPageFactory(parent=index)
    return {
        "home": "/",
        "guidance index": "/guidance/",
        "guidance": "/guidance/draft-manifesto/",
        "library": library.url,
        "library filtered": library.url + "?topic=payment&sort=title",
        "resource": resource.url,
        "events index": event_index.url,
        "event": event.url,
        "opportunities": index.url,
        "opportunity": opportunity.url,
        "search": "/search/?q=manifesto",
        "sitemap": "/sitemap.xml",
        "events feed": "/events/feed.ics",
        "sign-in page": reverse("accounts:login"),
    }, event


def test_every_page_sign_in_and_a_registration_work_with_the_cache_down(
    redis_down, site, contributor, caplog
):
    pages, event = site
    client = Client()
    with caplog.at_level(logging.ERROR, logger="portal.cache_backend"):
        for name, url in pages.items():
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200, name
                assert response.get("X-Page-Cache") != "hit", name  # rendered every time
        response = client.post(
            reverse("accounts:login"), {"username": contributor.email, "password": "wrong"}
        )
        assert response.status_code == 200  # a clear "wrong password", counted in this process
        from tests.accounts.test_throttling import PASSWORD

        response = client.post(
            reverse("accounts:login"), {"username": contributor.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        visitor = Client()
        page = visitor.get(event.url)
        response = visitor.post(
            event.url,
            {
                "csrfmiddlewaretoken": page.context["csrf_token"] if page.context else "",
                "name": "Kit Example",
                "email": "kit@example.org",
                "preferred_contact": "email",
            },
        )
        assert response.status_code == 302
        assert event.registrations.filter(email="kit@example.org").exists()
    # Logged once a minute, not once a request.
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) <= 2


def snapshot():
    """Everything in the default cache, as a Redis snapshot (RDB) would hold it."""
    store = caches["default"]
    if isinstance(store, LocMemCache):
        return dict(store._cache), dict(store._expire_info)
    client = store._cache.get_client()
    return {key: client.dump(key) for key in client.scan_iter()}


def restore(kept):
    """The cache's contents put back as they were (a restored snapshot, a Redis that missed a purge)."""
    store = caches["default"]
    if isinstance(store, LocMemCache):
        store._cache.update(kept[0])
        store._expire_info.update(kept[1])
        return
    client = store._cache.get_client(write=True)
    for key, value in kept.items():
        client.restore(key, 0, value, replace=True)


def test_a_purge_missed_by_the_cache_is_never_undone_by_its_return(client, home_page, event_factory):
    """The page is stored; the process that unpublishes it cannot reach the cache (its purge reaches only
    the database); the cache comes back with the very same contents; the next request gets a 404."""
    event = event_factory(title="Soon withdrawn")
    assert client.get(event.url)["X-Page-Cache"] == "miss"
    assert client.get(event.url)["X-Page-Cache"] == "hit"
    store = caches["default"]
    kept = snapshot()
    original = {name: getattr(type(store), name) for name in ("delete", "delete_many", "set", "clear")}
    try:
        for name in original:  # the unpublishing process cannot reach the cache at all
            setattr(type(store), name, lambda *a, **k: (_ for _ in ()).throw(ConnectionError("down")))
        event.unpublish()
    finally:
        for name, method in original.items():
            setattr(type(store), name, method)
    restore(kept)
    assert client.get(event.url).status_code == 404


def test_an_emptied_or_restored_cache_never_brings_back_an_unpublished_page(client, home_page, event_factory):
    event = event_factory(title="Withdrawn later")
    client.get(event.url)
    kept = snapshot()
    event.unpublish()
    assert client.get(event.url).status_code == 404
    caches["default"].clear()
    restore(kept)  # restored from a snapshot taken before the unpublish
    assert client.get(event.url).status_code == 404


def test_the_fail_soft_cache_answers_as_an_empty_one(redis_down):
    store = caches["default"]
    assert isinstance(store, FailSoftRedisCache)
    assert store.get("x") is None and store.get("x", "fallback") == "fallback"
    assert store.get_many(["x"]) == {} and store.add("x", 1) is False and store.set("x", 1) is None
    assert store.delete("x") is False and store.has_key("x") is False
