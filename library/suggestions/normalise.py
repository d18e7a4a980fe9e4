"""How a suggestion is compared with what the library already holds.

Two links are the same resource when they differ only in what readers never notice: http or https,
a leading "www.", upper or lower case, a trailing slash, a #fragment, or tracking parameters (utm_*,
fbclid, gclid). Two titles are the same when they differ only in case, punctuation and spacing.
"""

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit

TRACKING_PARAMETERS = {"fbclid", "gclid", "mc_cid", "mc_eid", "ref"}


def normalise_url(url):
    """The comparable form of a web address ("" for none): host/path?query, lower case."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.lower()[:500]
    if host.startswith("www."):
        host = host[4:]
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/").lower()
    query = sorted(
        (key.lower(), value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
    )
    result = host + path
    if query:
        result += "?" + urlencode(query)
    return result[:500]


def normalise_title(title):
    """The comparable form of a title: accents kept, case, punctuation and spacing dropped."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return " ".join(re.findall(r"\w+", text))[:255]


def url_search_core(url):
    """Part of a normalised address every stored spelling of it contains (for a database search)."""
    return normalise_url(url).split("?", 1)[0]
