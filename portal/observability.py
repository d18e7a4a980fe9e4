"""Logs an operator can search and errors that reach someone, without personal data.

- ``RequestIdMiddleware`` (first in ``MIDDLEWARE``): every request gets an id, the caller's
  ``X-Request-ID`` when it is sane (1 to 128 letters, digits, ``-``, ``_``, ``.``, ``:``), else a fresh one;
  it is on every log record made while the request runs (``RequestIdFilter``), sent back as the
  ``X-Request-ID`` response header, and a tag on Sentry events.
- ``JSONFormatter``: one JSON object a line (production settings' logging; gunicorn's too, see
  ``portal/gunicorn.py``).
- ``init_sentry``: errors to Sentry only when ``SENTRY_DSN`` is set (production settings); nothing is
  initialised otherwise. ``send_default_pii=False``, and ``before_send`` scrubs events.

The log formatter and Sentry's ``before_send`` scrub the same things (``scrub``): values under keys that
name access needs, health or monitoring data or contact details, and e-mail addresses and phone numbers
anywhere in text.
"""

import contextvars
import json
import logging
import re
import traceback
import uuid
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
request_id_var = contextvars.ContextVar("request_id", default=None)

SCRUBBED = "[scrubbed]"
# Keys whose values are never logged or sent: access needs and support, health and equality monitoring,
# contact details, and secrets. A key matches when it contains one of these (case ignored)...
SENSITIVE_KEY_PARTS = (
    "access_need",
    "access_comment",
    "access_support",
    "access_info",
    "access_requests",
    "dietary",
    "support_needed",
    "carer",
    "disability",
    "health",
    "medical",
    "ethnicity",
    "gender",
    "age_band",
    "religion",
    "sexual",
    "email",
    "phone",
    "address",
    "postcode",
    "password",
    "secret",
    "token",
    "authorization",
    "cookie",
    "csrf",
    "sessionid",
    "api_key",
)
# ...or is one of these (names of people).
SENSITIVE_KEYS = {"name", "first_name", "last_name", "full_name", "display_name", "carer_name"}
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A phone number: + or 0, then 9 to 13 more digits, single spaces or hyphens between them.
PHONE = re.compile(r"(?<![\w+.])(?:\+|\b0)\d(?:[ -]?\d){8,12}(?![\w.])")


def is_sensitive_key(key, names=True):
    lowered = str(key).lower()
    return (names and lowered in SENSITIVE_KEYS) or any(part in lowered for part in SENSITIVE_KEY_PARTS)


def scrub_text(text):
    return PHONE.sub(SCRUBBED, EMAIL.sub(SCRUBBED, text))


def scrub(value, depth=0, names=True):
    """A copy of ``value`` (dicts, lists, strings, nested) with sensitive keys' values and e-mail
    addresses and phone numbers in text replaced by ``[scrubbed]``. ``names=False`` keeps keys such as
    ``name`` (Sentry's own contexts: the runtime's name)."""
    if depth > 20:
        return SCRUBBED
    if isinstance(value, dict):
        return {
            key: SCRUBBED if is_sensitive_key(key, names) else scrub(item, depth + 1, names)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item, depth + 1, names) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


# Request ids ---------------------------------------------------------------------------------------------


def request_id_from(header_value):
    if header_value and _SANE_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request.request_id)
        try:
            _tag_sentry(request.request_id)
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


def _tag_sentry(request_id):
    import sentry_sdk

    if sentry_sdk.get_client().is_active():
        sentry_sdk.get_isolation_scope().set_tag("request_id", request_id)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or None outside a request) on every record as ``request_id``."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# JSON logs ----------------------------------------------------------------------------------------------

# What every LogRecord has; anything else on a record came from ``extra=`` and is logged (scrubbed).
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id, and the exception and any
    ``extra`` values, all scrubbed."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub_text(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        extra = {
            key: value
            for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES and key != "request_id" and not key.startswith("_")
        }
        if extra:
            entry["extra"] = scrub(_jsonable(extra))
        if record.exc_info:
            entry["exception"] = scrub_text("".join(traceback.format_exception(*record.exc_info)).rstrip())
        if record.stack_info:
            entry["stack"] = scrub_text(record.stack_info)
        return json.dumps(entry, default=str)


def _jsonable(value):
    """Django attaches the request (and gunicorn other objects) to records: keep what JSON can say."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "method") and hasattr(value, "path"):  # an HttpRequest: never its body or headers
        return f"{value.method} {value.path}"
    return str(value)


# Sentry -------------------------------------------------------------------------------------------------


def before_send(event, hint=None):
    """Scrubs an event before it leaves: the request's body, query, headers and cookies, extra data,
    contexts, tags, the user, breadcrumbs, log messages, exception messages and local variables."""
    for key in ("request", "extra", "tags", "user", "logentry", "message"):
        if key in event:
            event[key] = scrub(event[key])
    if "contexts" in event:
        event["contexts"] = scrub(event["contexts"], names=False)
    if "breadcrumbs" in event:
        event["breadcrumbs"] = scrub(event["breadcrumbs"])
    for exception in (event.get("exception") or {}).get("values", []) or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub_text(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            if "vars" in frame:
                frame["vars"] = scrub(frame["vars"])
    for thread in (event.get("threads") or {}).get("values", []) or []:
        for frame in (thread.get("stacktrace") or {}).get("frames", []) or []:
            if "vars" in frame:
                frame["vars"] = scrub(frame["vars"])
    return event


def before_breadcrumb(crumb, hint=None):
    return scrub(crumb)


def init_sentry(dsn, *, environment=None, release=None, traces_sample_rate=0.0):
    """Starts Sentry's client with the Django integration; called by production settings only when
    ``SENTRY_DSN`` is set. Returns whether it was started. Request bodies and local variables are never
    sent (free-text answers can hold health details under any name); the rest passes ``before_send``."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=before_send,
        before_send_transaction=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=traces_sample_rate,
    )
    return True
