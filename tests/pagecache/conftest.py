"""The page-cache tests run against the real shared backend when TEST_REDIS_URL is set (CI's PostgreSQL
run sets it), and against local memory otherwise."""

import os

import pytest

from tests.events.conftest import event, event_factory, event_index, person  # noqa: F401
from tests.library.conftest import library, make_resource, taxonomy  # noqa: F401


@pytest.fixture(autouse=True)
def page_cache_backend(settings):
    from django.core.cache import cache

    url = os.environ.get("TEST_REDIS_URL")
    if url:
        settings.CACHES = {
            "default": {
                "BACKEND": "portal.cache_backend.FailSoftRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "test-pagecache",
            },
            "counters": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "test-counters",
            },
        }
    cache.clear()
    yield cache.__class__.__name__
    cache.clear()
