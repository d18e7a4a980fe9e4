"""Settings read from addresses in the environment: the search backend and the frontend caches.

Kept apart from base.py so their parsing is tested on its own (tests/portal/test_settings_backends.py).
"""

from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

SEARCH_ENGINES = {
    "elasticsearch7": "wagtail.search.backends.elasticsearch7",
    "elasticsearch8": "wagtail.search.backends.elasticsearch8",
    "elasticsearch9": "wagtail.search.backends.elasticsearch9",
    "opensearch2": "wagtail.search.backends.opensearch2",
    "opensearch3": "wagtail.search.backends.opensearch3",
}


def search_backends(url):
    """WAGTAILSEARCH_BACKENDS from SEARCH_URL.

    - empty or ``database://``: Wagtail's database backend, which on PostgreSQL is its PostgreSQL
      full-text search (ranked, kept up to date on every save) and on SQLite is FTS5;
    - ``elasticsearch8://host:9200/index`` (also ``elasticsearch7``, ``elasticsearch9``, ``opensearch2``,
      ``opensearch3``; add ``+https`` for TLS, ``user:password@`` for basic auth,
      ``?timeout=10`` for the request timeout in seconds). The index name is the path (default ``portal``).
      The matching client library must be installed (``pip install "elasticsearch>=8,<9"`` or
      ``opensearch-py``), then ``manage.py update_index`` fills the index.
    """
    url = (url or "").strip()
    if not url or url in {"database", "database://"}:
        # Wagtail's database backend, ranking SQLite searches in one pass (portal/search_backend.py).
        return {"default": {"BACKEND": "portal.search_backend", "AUTO_UPDATE": True}}
    parts = urlsplit(url)
    engine, _plus, transport = parts.scheme.partition("+")
    if engine not in SEARCH_ENGINES:
        known = ", ".join(["database", *SEARCH_ENGINES])
        raise ImproperlyConfigured(f"SEARCH_URL scheme {parts.scheme!r} is not supported ({known})")
    transport = transport or "http"
    if transport not in {"http", "https"}:
        raise ImproperlyConfigured(f"SEARCH_URL transport {transport!r} must be http or https")
    if not parts.hostname:
        raise ImproperlyConfigured("SEARCH_URL needs a host, e.g. elasticsearch8://search:9200/portal")
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    options = {}
    if parts.username:
        options["http_auth"] = (unquote(parts.username), unquote(parts.password or ""))
    query = parse_qs(parts.query)
    backend = {
        "BACKEND": SEARCH_ENGINES[engine],
        "URLS": [urlunsplit((transport, netloc, "", "", ""))],
        "INDEX": parts.path.strip("/") or "portal",
        "AUTO_UPDATE": True,
    }
    if "timeout" in query:
        try:
            backend["TIMEOUT"] = int(query["timeout"][0])
        except ValueError as exc:
            raise ImproperlyConfigured("SEARCH_URL timeout must be a whole number of seconds") from exc
    if options:
        backend["OPTIONS"] = options
    return {"default": backend}


def frontend_caches(environ):
    """WAGTAILFRONTENDCACHE from the environment: every frontend cache publishing must purge.

    - ``FRONTEND_CACHE_HTTP_URL``: Varnish, Squid or nginx taking HTTP ``PURGE`` requests (comma-separated
      for several);
    - ``FRONTEND_CACHE_CLOUDFLARE_ZONE_ID`` with ``FRONTEND_CACHE_CLOUDFLARE_BEARER_TOKEN``: Cloudflare;
    - ``FRONTEND_CACHE_CLOUDFRONT_DISTRIBUTION_ID``: CloudFront (needs ``boto3`` and AWS credentials in
      the usual AWS variables).
    """
    caches = {}
    http_urls = [u.strip() for u in environ.get("FRONTEND_CACHE_HTTP_URL", "").split(",") if u.strip()]
    for n, location in enumerate(http_urls):
        if urlsplit(location).scheme not in {"http", "https"} or not urlsplit(location).hostname:
            raise ImproperlyConfigured(f"FRONTEND_CACHE_HTTP_URL {location!r} must be an http(s) address")
        caches[f"http{n or ''}"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": location,
        }
    zone = environ.get("FRONTEND_CACHE_CLOUDFLARE_ZONE_ID", "").strip()
    token = environ.get("FRONTEND_CACHE_CLOUDFLARE_BEARER_TOKEN", "").strip()
    if zone or token:
        if not (zone and token):
            raise ImproperlyConfigured(
                "Cloudflare purging needs both FRONTEND_CACHE_CLOUDFLARE_ZONE_ID and "
                "FRONTEND_CACHE_CLOUDFLARE_BEARER_TOKEN"
            )
        caches["cloudflare"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "ZONEID": zone,
            "BEARER_TOKEN": token,
        }
    distribution = environ.get("FRONTEND_CACHE_CLOUDFRONT_DISTRIBUTION_ID", "").strip()
    if distribution:
        caches["cloudfront"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": distribution,
        }
    return caches
