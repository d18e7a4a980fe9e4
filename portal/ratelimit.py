"""Counters in the shared cache for rate limits (feedback) and sign-in throttling.

The cache is Redis in production, where `incr` is atomic, so a limit holds across every web process.
A counter starts at the first hit and disappears `window` seconds later (the reset is by time: INCR
keeps the expiry the first hit set). Keys hold a hash of what is counted, never an address or an
e-mail address in clear.
"""

import hashlib

from django.core.cache import cache


def _key(scope, identity):
    digest = hashlib.sha256(str(identity).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"rate:{scope}:{digest}"


def hit(scope, identity, window):
    """Counts one event for `identity` in `scope`; returns the count in the current window."""
    key = _key(scope, identity)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def count(scope, identity):
    return cache.get(_key(scope, identity), 0)


def reset(scope, identity):
    cache.delete(_key(scope, identity))
