"""Production logs: JSON lines with a request id (also sent back as X-Request-ID), scrubbed; errors to
Sentry only when SENTRY_DSN is set, scrubbed the same way."""

import gzip
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from portal import observability
from portal.observability import SCRUBBED, JSONFormatter, RequestIdFilter, before_send, scrub, scrub_text

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:9/unused",
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "MEDIA_ROOT": "/srv/portal/media",
    "PRIVATE_MEDIA_ROOT": "/srv/portal/private",
    "STATIC_ROOT": "/srv/portal/static",
}


def run_python(code, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SENTRY_DSN", "DATABASE_URL", "REDIS_URL"}}
    clean.update({"PYTHONPATH": str(ROOT), **env})
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )


# Request ids ---------------------------------------------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2:abc_9")
    assert response["X-Request-ID"] == "lb-7f3a.2:abc_9"


@pytest.mark.parametrize("given", ["", "a b", "x" * 129, "<script>", "id\r\nSet-Cookie: x=1", "é"])
def test_an_insane_incoming_request_id_is_replaced(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_log_records_made_during_a_request_carry_its_id(client, home_page, monkeypatch):
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("portal.test_request_id")
    logger.addHandler(handler)
    from home.models import HomePage

    original = HomePage.get_context

    def get_context(self, request, *args, **kwargs):
        logger.warning("rendering the home page")
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(HomePage, "get_context", get_context)
    try:
        response = client.get("/", HTTP_X_REQUEST_ID="req-42")
        logger.warning("after the request")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 200 and response["X-Request-ID"] == "req-42"
    assert [(r.getMessage(), r.request_id) for r in seen] == [
        ("rendering the home page", "req-42"),
        ("after the request", None),
    ]


def test_page_cache_hits_get_their_own_request_id(client, home_page):
    assert client.get("/", HTTP_X_REQUEST_ID="one")["X-Request-ID"] == "one"
    hit = client.get("/", HTTP_X_REQUEST_ID="two")
    assert hit["X-Page-Cache"] == "hit"
    assert hit["X-Request-ID"] == "two"


# JSON logs and scrubbing --------------------------------------------------------------------------------


def record(message, *args, exc_info=None, **extra):
    made = logging.LogRecord("portal.example", logging.WARNING, __file__, 1, message, args, exc_info)
    made.__dict__.update(extra)
    return made


def test_the_json_formatter_writes_one_object_a_line_with_the_request_id():
    token = observability.request_id_var.set("abc123")
    try:
        item = record("Payout %s failed", 17)
        RequestIdFilter().filter(item)
        line = JSONFormatter().format(item)
    finally:
        observability.request_id_var.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Payout 17 failed"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "portal.example"
    assert entry["request_id"] == "abc123"
    assert entry["time"].endswith("+00:00")


def test_the_json_formatter_scrubs_access_needs_health_and_contact_details():
    try:
        raise ValueError("could not e-mail sam.jones@example.org on 07700 900123")
    except ValueError:
        import sys as _sys

        exc_info = _sys.exc_info()
    item = record(
        "Registration for %s (+44 7700 900123) failed",
        "sam.jones@example.org",
        exc_info=exc_info,
        access_needs="wheelchair user, hearing loop",
        dietary_needs="coeliac",
        health="diabetes",
        phone="07700900123",
        registration_id=41,
        answers={"postal_address": "1 High St", "q1": "ring me on 020 7946 0000"},
    )
    entry = json.loads(JSONFormatter().format(item))
    text = json.dumps(entry)
    for secret in ("sam.jones", "7700", "wheelchair", "coeliac", "diabetes", "High St", "7946"):
        assert secret not in text, secret
    assert entry["message"] == f"Registration for {SCRUBBED} ({SCRUBBED}) failed"
    assert entry["extra"]["registration_id"] == 41
    assert entry["extra"]["access_needs"] == SCRUBBED
    assert entry["extra"]["answers"] == {"postal_address": SCRUBBED, "q1": f"ring me on {SCRUBBED}"}
    assert "ValueError: could not e-mail [scrubbed] on [scrubbed]" in entry["exception"]


def test_scrubbing_leaves_ordinary_values_alone():
    value = {"claim": 12, "amount": "25.00", "status": "approved", "when": "2026-12-07 10:15", "ids": [1, 2]}
    assert scrub(value) == value
    assert scrub_text("Payout 1234567 of £25.00 at 2026-12-07 10:15:03") == (
        "Payout 1234567 of £25.00 at 2026-12-07 10:15:03"
    )


def test_production_logging_is_json(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('portal.x').warning('hello %s', 'a@b.org', extra={'phone': '1'})"
    )
    result = run_python(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == f"hello {SCRUBBED}"
    assert entry["extra"] == {"phone": SCRUBBED}
    assert entry["request_id"] is None


# Sentry -------------------------------------------------------------------------------------------------


def test_before_send_scrubs_an_event():
    event = {
        "message": "failed for sam@example.org",
        "request": {
            "url": "https://portal.example.org/events/x/",
            "data": {"email": "sam@example.org", "access_needs": "BSL", "seats": "2"},
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "probe"},
        },
        "extra": {"health_notes": "asthma", "claim": 3},
        "user": {"id": 5, "email": "sam@example.org", "ip_address": "10.0.0.1"},
        "contexts": {"runtime": {"name": "CPython", "version": "3.11"}},
        "breadcrumbs": {"values": [{"message": "sent to 07700 900123", "data": {"phone": "07700900123"}}]},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "bad address sam@example.org",
                    "stacktrace": {"frames": [{"vars": {"carer_name": "Pat", "n": "1"}}]},
                }
            ]
        },
    }
    scrubbed = before_send(event, {})
    text = json.dumps(scrubbed)
    for secret in ("sam@example.org", "BSL", "asthma", "07700", "Pat", "abc", "10.0.0.1"):
        assert secret not in text, secret
    assert scrubbed["request"]["data"]["seats"] == "2"
    assert scrubbed["extra"]["claim"] == 3
    assert scrubbed["contexts"]["runtime"]["name"] == "CPython"
    assert scrubbed["exception"]["values"][0]["value"] == f"bad address {SCRUBBED}"


def test_sentry_is_not_initialised_without_a_dsn():
    code = "import django, sentry_sdk; django.setup(); print(sentry_sdk.get_client().is_active())"
    result = run_python(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


class _Collector(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        data = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            data = gzip.decompress(data)
        elif encoding == "br":  # the SDK compresses with brotli when the module is installed
            import brotli

            data = brotli.decompress(data)
        self.received.append(data)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_with_a_dsn_errors_reach_sentry_scrubbed():
    """A real event through the SDK to a local stand-in for Sentry's ingest endpoint."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code = (
            "import django, sentry_sdk; django.setup(); "
            "client = sentry_sdk.get_client(); print(client.is_active(), client.options['send_default_pii']); "
            "access_needs = 'hearing loop'\n"
            "try:\n    raise RuntimeError('no reply from sam@example.org')\n"
            "except RuntimeError as exc:\n    sentry_sdk.capture_exception(exc)\n"
            "sentry_sdk.flush(5)"
        )
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/1"
        result = run_python(code, **PRODUCTION, SENTRY_DSN=dsn)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True False"
    assert _Collector.received, "no event reached the stand-in"
    envelope = b"".join(_Collector.received).decode("utf-8", "replace")
    assert "RuntimeError" in envelope
    assert f"no reply from {SCRUBBED}" in envelope
    assert "sam@example.org" not in envelope
    assert "hearing loop" not in envelope
