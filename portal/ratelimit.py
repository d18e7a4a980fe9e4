"""Counters for rate limits (feedback, suggestions, applications) and sign-in throttling.

They live in their own cache alias, ``counters`` (Redis in production, where ``incr`` is atomic, so a
limit holds across every web process), apart from the page cache, so page churn never evicts a count.
A counter starts at the first hit and disappears `window` seconds later (INCR keeps the expiry the first
hit set). Keys hold a hash of what is counted, never an address or an e-mail address in clear.

When the counters' cache fails, counting goes on in each process (a local-memory cache): limits then hold
per process rather than across them, and nobody is locked out or let through unlimited. The failure is
logged once a minute.
"""

import hashlib

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from .cache_backend import log_once_a_minute

_fallback = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def _key(scope, identity):
    digest = hashlib.sha256(str(identity).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"rate:{scope}:{digest}"


def _counting(operation):
    """`operation(cache)` on the counters' cache, or on this process's when that one fails."""
    try:
        return operation(caches["counters"])
    except Exception as exc:  # the counters' cache is down: count in this process
        log_once_a_minute("the counters' cache", exc)
        return operation(_fallback)


def _hit(cache, key, window):
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def hit(scope, identity, window):
    """Counts one event for `identity` in `scope`; returns the count in the current window."""
    key = _key(scope, identity)
    return _counting(lambda cache: _hit(cache, key, window))


def count(scope, identity):
    key = _key(scope, identity)
    return _counting(lambda cache: cache.get(key, 0))


def reset(scope, identity):
    key = _key(scope, identity)
    return _counting(lambda cache: cache.delete(key))
