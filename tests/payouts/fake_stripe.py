"""A local fake of the few Stripe endpoints the portal uses, recording every request.

It honours Idempotency-Key as Stripe does (the same key replays the first answer; errors that Stripe does not
store, 429 and 5xx, are not replayed) and can inject faults into the next transfer request:
"402", "400", "429", "500", "timeout" (the transfer is made but the answer comes too late) and
"drop_after_accept" (the transfer is made, then the connection closes without an answer).
"""

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse


def _nest(pairs):
    """Turns Stripe's form encoding (metadata[payout_id]=5) into nested dicts."""
    result = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return result


class FakeStripe:
    def __init__(self, response_delay=2.5):
        self.requests = []
        self.transfers = {}
        self.accounts = {}
        self.idempotent = {}
        self.faults = []
        self.response_delay = response_delay
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next_transfer(self, kind):
        self.faults.append(kind)

    def transfer_requests(self):
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == "/v1/transfers"]

    def new_id(self, prefix):
        return f"{prefix}_fake{next(self._ids):06d}"

    # -- endpoint logic ------------------------------------------------------------------------

    def _create_transfer(self, params):
        transfer = {
            "id": self.new_id("tr"),
            "object": "transfer",
            "amount": int(params["amount"]),
            "currency": params["currency"],
            "destination": params["destination"],
            "transfer_group": params.get("transfer_group"),
            "description": params.get("description"),
            "metadata": params.get("metadata", {}),
            "reversed": False,
            "created": int(time.time()),
        }
        self.transfers[transfer["id"]] = transfer
        return transfer

    def _handler(fake):  # noqa: N805 - the handler closes over the fake
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status, type_, message, code=None):
                self._send(status, {"error": {"type": type_, "message": message, "code": code}})

            def do_GET(self):
                url = urlparse(self.path)
                query = dict(parse_qsl(url.query))
                fake.requests.append(
                    {"method": "GET", "path": url.path, "params": query, "headers": dict(self.headers)}
                )
                if url.path.startswith("/v1/accounts/"):
                    account = fake.accounts.get(url.path.rsplit("/", 1)[1])
                    if account is None:
                        return self._error(
                            404, "invalid_request_error", "No such account", "resource_missing"
                        )
                    return self._send(200, account)
                if url.path == "/v1/transfers":
                    group = query.get("transfer_group")
                    data = [
                        t for t in fake.transfers.values() if group is None or t["transfer_group"] == group
                    ]
                    return self._send(
                        200, {"object": "list", "data": data, "has_more": False, "url": "/v1/transfers"}
                    )
                return self._error(404, "invalid_request_error", "Unrecognised request URL")

            def do_POST(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length", 0))
                params = _nest(parse_qsl(self.rfile.read(length).decode()))
                key = self.headers.get("Idempotency-Key")
                record = {
                    "method": "POST",
                    "path": url.path,
                    "params": params,
                    "idempotency_key": key,
                    "headers": dict(self.headers),
                }
                fake.requests.append(record)
                with fake._lock:
                    if key and key in fake.idempotent:
                        status, body = fake.idempotent[key]
                        record["replayed"] = True
                        return self._send(status, body)
                    if url.path == "/v1/transfers":
                        return self._transfer(params, key)
                    if url.path == "/v1/accounts":
                        account = {
                            "id": fake.new_id("acct"),
                            "object": "account",
                            "email": params.get("email"),
                            "payouts_enabled": False,
                            "details_submitted": False,
                            "requirements": {"currently_due": ["individual.dob.day"]},
                        }
                        fake.accounts[account["id"]] = account
                        return self._store(key, 200, account)
                    if url.path == "/v1/account_links":
                        link = {
                            "object": "account_link",
                            "url": f"https://connect.stripe.com/setup/e/{params['account']}/fake",
                            "expires_at": int(time.time()) + 300,
                            "created": int(time.time()),
                        }
                        return self._send(200, link)
                return self._error(404, "invalid_request_error", "Unrecognised request URL")

            def _store(self, key, status, body):
                if key:
                    fake.idempotent[key] = (status, body)
                return self._send(status, body)

            def _transfer(self, params, key):
                fault = fake.faults.pop(0) if fake.faults else None
                if fault == "402":
                    return self._store(
                        key,
                        402,
                        {
                            "error": {
                                "type": "card_error",
                                "code": "card_declined",
                                "message": "The transfer was declined.",
                            }
                        },
                    )
                if fault == "400":
                    return self._store(
                        key,
                        400,
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "code": "balance_insufficient",
                                "message": "Insufficient funds in Stripe account.",
                            }
                        },
                    )
                if fault == "400-account":
                    return self._store(
                        key,
                        400,
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "code": "account_invalid",
                                "message": "No such destination.",
                            }
                        },
                    )
                if fault == "429":
                    return self._error(429, "invalid_request_error", "Too many requests", "rate_limit")
                if fault == "500":
                    return self._error(500, "api_error", "Something went wrong on Stripe's end.")
                transfer = fake._create_transfer(params)
                if key:
                    fake.idempotent[key] = (200, transfer)
                if fault == "timeout":
                    time.sleep(fake.response_delay)
                    with contextlib.suppress(OSError):
                        self._send(200, transfer)
                    return None
                if fault == "drop_after_accept":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                return self._send(200, transfer)

        return Handler


def sign_payload(payload, secret, timestamp=None):
    """A Stripe-Signature header for `payload`, as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{timestamp}.{payload}".encode()
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event_payload(event_id, event_type, obj, *, created=None, account=None):
    body = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()) if created is None else created,
        "api_version": "2025-01-27.acacia",
        "livemode": False,
        "pending_webhooks": 1,
        "data": {"object": obj},
    }
    if account:
        body["account"] = account
    return json.dumps(body)
