"""Building blocks of the fuzz test (tests/portal/test_fuzz.py): every URL pattern made into a real
address, hostile values, and a request runner that records any 5xx with its exception.

Everything random comes from one seeded `random.Random`, so a failure replays exactly.
"""

import copy
import json
import re
import sys
import traceback
from http.cookies import SimpleCookie
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.db import transaction
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

PROJECT_DIRS = tuple(
    str(__import__("pathlib").Path(__file__).resolve().parents[2] / app) + "/"
    for app in (
        "accounts",
        "home",
        "library",
        "events",
        "payments",
        "payouts",
        "opportunities",
        "portal",
        "templates",
    )
)

# Values a hostile or clumsy client sends: empty, huge, NUL, odd unicode, numbers out of every range,
# impossible dates, markup, traversal.
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "²",
    "٣٤",
    "𝟘𝟙",
    "\u202eevil",
    "😀" * 50,
    "\ufeff",
    "<script>alert(1)</script>",
    "'\"",
    "%",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "Infinity",
    "1.5",
    "2025-13-45",
    "0000-00-00",
    "9999-12-31",
    "2025-02-30",
    "25:61",
    "true",
    "[]",
    "{}",
    "../../etc/passwd",
]
# Names the site's views and filters read, tried on every address; names found in a page's own
# forms are added to them.
COMMON_PARAMS = [
    "q",
    "p",
    "page",
    "ordering",
    "sort",
    "type",
    "topic",
    "audience",
    "year_from",
    "year_to",
    "free",
    "when",
    "format",
    "status",
    "contributor",
    "activity_type",
    "project",
    "work_date_after",
    "work_date_before",
    "tax_year",
    "show",
    "next",
    "export",
    "feedback",
    "id",
    "action",
    "places",
    "start",
    "end",
    "event_type",
]
WRONG_METHODS = ["put", "patch", "delete", "options", "head"]
FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*?\bname="([^"]+)"', re.IGNORECASE)
FILE_FIELD = re.compile(r'<input\b[^>]*?\btype="file"[^>]*?\bname="([^"]+)"', re.IGNORECASE)


def url_patterns():
    """(qualified name, pattern) for every named URL pattern, in a stable order."""

    def walk(patterns, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespaces + ([pattern.namespace] if pattern.namespace else [])
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield ":".join([*namespaces, pattern.name]), pattern

    seen = {}
    for name, pattern in walk(get_resolver().url_patterns, []):
        seen.setdefault(name, []).append(pattern)
    return sorted(seen.items())


def parameters(pattern):
    """(names, positional count) of one pattern: route converters, or the groups of a regex."""
    if isinstance(pattern.pattern, RoutePattern):
        return list(pattern.pattern.converters), 0
    regex = pattern.pattern.regex
    return list(regex.groupindex), regex.groups - len(regex.groupindex)


def hostile_value(rng):
    return rng.choice(HOSTILE)


def hostile_query(rng, names):
    """A query string of 1-4 hostile parameters, sometimes the same name twice."""
    pairs = []
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(names)
        pairs.append((name, hostile_value(rng)))
        if rng.random() < 0.3:
            pairs.append((name, hostile_value(rng)))
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def hostile_form(rng, html, *, extra_names=()):
    """A POST body for the forms on a page: each field name it has, filled with hostile values (and
    sometimes a value list or a file), or an empty body."""
    names = sorted({n for n in FIELD_NAME.findall(html or "") if n != "csrfmiddlewaretoken"})
    files = set(FILE_FIELD.findall(html or ""))
    names = names or list(extra_names)
    if not names or rng.random() < 0.15:
        return {}
    data = {}
    for name in names:
        if name in files:
            content = rng.choice([b"", b"%PDF-1.4 x", b"<html><script>x</script>", bytes(range(256))])
            data[name] = SimpleUploadedFile(
                rng.choice(["r.pdf", "evil.html.pdf", "x.exe", "\x00.png"]), content
            )
        elif rng.random() < 0.15:
            data[name] = [hostile_value(rng), hostile_value(rng)]
        else:
            data[name] = hostile_value(rng)
    return data


def random_json(rng, depth=0):
    """A JSON value of random shape, to sign and send to the webhook."""
    kinds = ["dict", "list", "str", "int", "float", "bool", "null"] if depth < 4 else ["str", "int", "null"]
    kind = rng.choice(kinds)
    if kind == "dict":
        keys = ["id", "type", "created", "data", "object", "account", "metadata", "requirements", "x"]
        return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    if kind == "list":
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "str":
        return rng.choice([*HOSTILE[:12], "evt_1", "acct_1", "account.updated", "transfer.reversed"])
    if kind == "int":
        return rng.choice([0, -1, 1, 2**63, 10**30, 1700000000])
    if kind == "float":
        return rng.choice([0.5, -1e308, 1e308])
    return {"bool": rng.random() < 0.5, "null": None}[kind]


def webhook_event(rng):
    """Mostly the shape of a Stripe event with one part broken, sometimes anything at all."""
    if rng.random() < 0.3:
        return json.dumps(random_json(rng))
    event = {
        "id": "evt_fuzz",
        "type": rng.choice(
            ["account.updated", "transfer.created", "transfer.reversed", "payout.failed", "x.y"]
        ),
        "created": 1700000000,
        "data": {"object": {"id": "acct_fuzz", "metadata": {"payout_id": "1"}}},
    }
    target = rng.choice([event, event["data"], event["data"]["object"]])
    target[rng.choice(list(target))] = random_json(rng)
    return json.dumps(event)


class Runner:
    """Sends requests, each inside a savepoint rolled back afterwards (so every request sees the same
    data and a database error cannot poison the next one), and records every 5xx."""

    def __init__(self, client):
        self.client = client
        self.failures = []
        self.count = 0
        self._cookies = SimpleCookie()
        self._exception = None
        got_request_exception.connect(self._store, weak=False)

    def close(self):
        got_request_exception.disconnect(self._store)

    def _store(self, sender, request=None, **kwargs):
        self._exception = sys.exc_info()

    def keep_session(self):
        self._cookies = copy.deepcopy(self.client.cookies)

    def send(self, label, method, url, data=None, *, name="", **extra):
        """Returns the response (None when it failed), after recording a failure for any 5xx:
        (text, URL name, exception type name, whether the traceback passed through project code, url)."""
        self.count += 1
        self._exception = None
        # A request may sign out or rotate the session: every request starts from the role's session.
        self.client.cookies = copy.deepcopy(self._cookies)
        savepoint = transaction.savepoint()
        try:
            if method in ("get", "head", "options", "delete"):
                response = getattr(self.client, method)(url, **extra)
            elif method == "post":
                response = self.client.post(url, data or {}, **extra)
            else:
                body = data if isinstance(data, (str, bytes)) else ""
                response = getattr(self.client, method)(url, body, **extra)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            status = response.status_code
        except Exception:
            self._exception = sys.exc_info()
            response, status = None, 500
        finally:
            transaction.savepoint_rollback(savepoint)
        if status >= 500:
            detail, kind, ours = "", "", True
            if self._exception:
                detail = "".join(traceback.format_exception(*self._exception)[-3:]).strip()
                kind = self._exception[0].__name__
                frames = traceback.extract_tb(self._exception[2])
                ours = any(frame.filename.startswith(PROJECT_DIRS) for frame in frames)
            text = f"{label}: {method.upper()} {url[:300]} -> {status}\n{detail}"
            self.failures.append((text, name, kind, ours, url))
            return None
        return response


def reverse_or_none(name, args=(), kwargs=None):
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        return None
