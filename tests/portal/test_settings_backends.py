"""SEARCH_URL and the FRONTEND_CACHE_* variables, parsed into Wagtail's settings."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings.backends import frontend_caches, search_backends


@pytest.mark.parametrize("url", [None, "", "database", "database://"])
def test_default_search_is_the_database_backend(url):
    # Wagtail's database backend (portal/search_backend.py only changes how SQLite ranks).
    assert search_backends(url) == {"default": {"BACKEND": "portal.search_backend", "AUTO_UPDATE": True}}


def test_elasticsearch_with_tls_credentials_index_and_timeout():
    backend = search_backends(
        "elasticsearch8+https://portal:s%40cret@search.example.org:9243/live?timeout=7"
    )["default"]
    assert backend == {
        "BACKEND": "wagtail.search.backends.elasticsearch8",
        "URLS": ["https://search.example.org:9243"],
        "INDEX": "live",
        "AUTO_UPDATE": True,
        "TIMEOUT": 7,
        "OPTIONS": {"http_auth": ("portal", "s@cret")},
    }


def test_opensearch_plain_http_default_index():
    backend = search_backends("opensearch2://search:9200")["default"]
    assert backend["BACKEND"] == "wagtail.search.backends.opensearch2"
    assert backend["URLS"] == ["http://search:9200"] and backend["INDEX"] == "portal"
    assert "OPTIONS" not in backend and "TIMEOUT" not in backend


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("solr://search:8983", "not supported"),
        ("elasticsearch8+ftp://search:9200", "http or https"),
        ("elasticsearch8:///portal", "needs a host"),
        ("elasticsearch8://search:9200/?timeout=soon", "whole number"),
    ],
)
def test_bad_search_urls_say_what_is_wrong(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        search_backends(url)


def test_every_search_engine_named_exists_in_wagtail():
    from importlib.util import find_spec

    from portal.settings.backends import SEARCH_ENGINES

    assert all(find_spec(module) for module in SEARCH_ENGINES.values())


def test_frontend_caches_from_the_environment():
    assert frontend_caches({}) == {}
    caches = frontend_caches(
        {
            "FRONTEND_CACHE_HTTP_URL": "http://varnish:6081, http://varnish2:6081",
            "FRONTEND_CACHE_CLOUDFLARE_ZONE_ID": "zone",
            "FRONTEND_CACHE_CLOUDFLARE_BEARER_TOKEN": "token",
            "FRONTEND_CACHE_CLOUDFRONT_DISTRIBUTION_ID": "E123",
        }
    )
    assert caches["http"]["LOCATION"] == "http://varnish:6081"
    assert caches["http1"]["LOCATION"] == "http://varnish2:6081"
    assert caches["cloudflare"] == {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": "zone",
        "BEARER_TOKEN": "token",
    }
    assert caches["cloudfront"]["DISTRIBUTION_ID"] == "E123"


@pytest.mark.parametrize(
    "environ",
    [
        {"FRONTEND_CACHE_HTTP_URL": "varnish:6081"},
        {"FRONTEND_CACHE_CLOUDFLARE_ZONE_ID": "zone"},
    ],
)
def test_incomplete_frontend_cache_settings_are_refused(environ):
    with pytest.raises(ImproperlyConfigured):
        frontend_caches(environ)


def test_the_settings_read_the_environment(monkeypatch):
    import importlib

    import portal.settings.base as base

    monkeypatch.setenv("SEARCH_URL", "opensearch3://search:9200/site")
    monkeypatch.setenv("FRONTEND_CACHE_HTTP_URL", "http://varnish:6081")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.WAGTAILSEARCH_BACKENDS["default"]["INDEX"] == "site"
        assert reloaded.WAGTAILFRONTENDCACHE["http"]["LOCATION"] == "http://varnish:6081"
    finally:
        monkeypatch.delenv("SEARCH_URL")
        monkeypatch.delenv("FRONTEND_CACHE_HTTP_URL")
        importlib.reload(base)
