"""The default cache's backend in production: Django's Redis cache, failing soft.

Wagtail reads the default cache on every request (``Site.find_for_request``, site root paths), and so
does the page cache (portal/cache.py): with Redis down or slow, every one of those calls would raise or
wait. Here a failing call answers as an empty cache would, and Redis is left alone for
``RETRY_SECONDS`` before the next try, so an outage costs each request nothing; socket timeouts are
short (``REDIS_OPTIONS`` in settings). The failure is logged once a minute, not once a request.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
_logged_at = {}


def log_once_a_minute(what, exc):
    if time.monotonic() - _logged_at.get(what, -60.0) >= 60:
        _logged_at[what] = time.monotonic()
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
