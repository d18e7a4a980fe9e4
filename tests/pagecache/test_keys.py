"""What the page cache keys on: the path and the listing's known parameters, normalised, plus the
release; never cookies, unknown parameters or unbounded free text."""

import random
import string

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from portal import cache as pagecache

pytestmark = pytest.mark.django_db


def page_keys():
    store = caches["default"]
    if isinstance(store, LocMemCache):
        return {key for key in store._cache if ":page:" in key and not key.endswith(":rendering")}
    client = store._cache.get_client()
    return {key for key in client.scan_iter(match="*:page:*") if not key.endswith(b":rendering")}


def junk(n):
    return "".join(random.choices(string.ascii_letters + string.digits + " -", k=n))  # noqa: S311


def test_random_parameters_and_searches_keep_the_number_of_keys_bounded(home_page, library, taxonomy):
    random.seed(21)
    pages = ["/", "/guidance/", "/guidance/draft-manifesto/", library.url, "/search/"]
    for url in pages:
        Client().get(url)
    before = len(page_keys())
    for n in range(500):
        client = Client()
        if n % 2:
            client.cookies["csrftoken"] = junk(32)
        url = random.choice(pages)
        params = {f"utm_{junk(5)}": junk(8), "fbclid": junk(20)}
        if n % 3 == 0:
            params["q"] = junk(random.choice([3, 12, 2000]))
        if n % 5 == 0:
            params["topic"] = random.choice(["payment", "ethics", junk(6)])
        query = "&".join(f"{k}={v}" for k, v in params.items())
        assert client.get(f"{url}?{query}").status_code == 200
    grown = len(page_keys()) - before
    # Searches share a few slots per path; the valid topics are two pages of the library.
    assert grown <= 2 * pagecache.settings.PAGE_CACHE_SEARCH_SLOTS + 2, grown


def test_unknown_parameters_share_the_page_without_them(client, home_page):
    assert client.get("/guidance/")["X-Page-Cache"] == "miss"
    assert client.get("/guidance/?utm_source=newsletter&fbclid=abc")["X-Page-Cache"] == "hit"
    assert client.get("/guidance/?page=1")["X-Page-Cache"] == "hit"  # the default, dropped


def test_a_page_rendered_for_unknown_parameters_is_not_stored(client, home_page):
    response = client.get("/guidance/?utm_source=newsletter")
    assert response.status_code == 200 and "X-Page-Cache" not in response
    assert client.get("/guidance/")["X-Page-Cache"] == "miss"


def test_cookies_never_make_another_copy(home_page):
    first = Client()
    first.get("/")
    other = Client()
    other.cookies["csrftoken"] = "x" * 32
    other.cookies["theme"] = "dark"
    assert other.get("/")["X-Page-Cache"] == "hit"


def test_a_new_release_never_serves_the_old_pages(client, home_page, monkeypatch):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    monkeypatch.setattr(pagecache, "release", lambda: "another-deploy")
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_the_release_is_a_hash_of_the_code_or_the_deploy_id(monkeypatch):
    pagecache.release.cache_clear()
    from_code = pagecache.release()
    pagecache.release.cache_clear()
    monkeypatch.setenv("RELEASE_ID", "git-abc123")
    assert pagecache.release() != from_code
    pagecache.release.cache_clear()


def test_after_a_purge_one_visitor_renders_while_others_get_the_previous_copy(client, home_page):
    from home.models import GuidancePage

    page = GuidancePage.objects.get(url_path__endswith="/draft-manifesto/")
    url = page.url
    client.get(url)
    page.title = "A new title"
    page.save_revision().publish()
    store = caches["default"]
    # Another visitor is rendering it now (holds the lock): this one gets the previous copy.
    lock = f"{_page_key(client, url)}:rendering"
    store.add(lock, 1, 30)
    stale = client.get(url)
    assert stale["X-Page-Cache"] == "stale" and "A new title" not in stale.text
    store.delete(lock)
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss" and "A new title" in fresh.text


def _page_key(client, url):
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    digest = pagecache._digest(
        f"{request.get_host()}{request.path_info}?{pagecache._query(request, slot=True)}"
    )
    return f"page:{pagecache.release()}:{digest}"


def test_unpublishing_is_never_served_stale(client, home_page, event_factory):
    event = event_factory(title="Withdrawn")
    client.get(event.url)
    caches["default"].add(f"{_page_key(client, event.url)}:rendering", 1, 30)
    event.unpublish()
    assert client.get(event.url).status_code == 404


def test_a_previous_copy_is_served_for_a_bounded_time_only(client, home_page, settings):
    from home.models import GuidancePage

    page = GuidancePage.objects.get(url_path__endswith="/draft-manifesto/")
    client.get(page.url)
    page.title = "A newer title"
    page.save_revision().publish()
    caches["default"].add(f"{_page_key(client, page.url)}:rendering", 1, 30)  # a render that never ends
    settings.PAGE_CACHE_STALE_SECONDS = 0  # the purge is older than the stale window
    assert "A newer title" in client.get(page.url).text
