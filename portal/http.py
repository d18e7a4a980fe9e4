"""Facts about the request that must be read one way everywhere.

`client_ip` is the one place that decides which address a request came from. Rate limits and sign-in
throttling count per address, so an address a client can choose (a raw `X-Forwarded-For` header)
would let anyone escape them by sending a new value each time.
"""

import ipaddress

from django.conf import settings


def _valid(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's address, trusting exactly `settings.TRUSTED_PROXY_COUNT` proxies in front of us.

    0 (the default): the address of the connection (REMOTE_ADDR); any X-Forwarded-For is ignored.
    N > 0: each of our N proxies appends the address it was reached from to X-Forwarded-For, so the
    N-th entry from the right is the one our outermost proxy saw; entries to its left were written
    by the client and are never read. With fewer entries than N (the request did not pass through
    every proxy) or an entry that is not an address, the connection's address is used.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "unknown"
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    return _valid(hops[-count]) or remote


def parse_id(value):
    """A database id from request text, or None: plain ASCII digits only (str.isdigit also accepts
    "²" and "٣", which int() refuses) and within 64 bits (Django checks the range of a plain id
    lookup, not of one through a relation, and SQLite then raises OverflowError)."""
    text = str(value).strip()
    if not text or len(text) > 19 or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number < 2**63 else None
