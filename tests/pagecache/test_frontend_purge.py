"""Publishing purges a CDN or Varnish in front: the page's address and the listings that show it,
proved with a local HTTP server standing in for Varnish (it records the PURGE requests)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.factories import EventIndexPageFactory
from library.factories import ResourcePageFactory

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    received = None

    def do_PURGE(self):  # noqa: N802 - the HTTP method's name
        self.received.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_receiver(settings):
    received = []
    handler = type("RecordingReceiver", (Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
        }
    }
    yield received
    server.shutdown()
    server.server_close()


def paths(received):
    return {path for _host, path in received}


def test_publishing_purges_the_page_and_its_listings(
    purge_receiver, library, django_capture_on_commit_callbacks
):
    resource = ResourcePageFactory(parent=library, title="Purged toolkit", live=False)
    purge_receiver.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resource.save_revision().publish()
    assert {resource.url, library.url, "/"} <= paths(purge_receiver)
    assert {host for host, _path in purge_receiver} == {"localhost"}


def test_unpublishing_purges_the_page_and_its_listings(
    purge_receiver, event, event_index, django_capture_on_commit_callbacks
):
    purge_receiver.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event.unpublish()
    assert {event.url, event_index.url, "/"} <= paths(purge_receiver)


def test_moving_purges_old_and_new_addresses_and_both_listings(
    purge_receiver, home_page, event, event_index, django_capture_on_commit_callbacks
):
    archive = EventIndexPageFactory(parent=home_page, title="Archive", slug="archive")
    old_url = event.url
    purge_receiver.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event.move(archive, pos="last-child")
    event.refresh_from_db()
    assert {old_url, event.url, event_index.url, archive.url} <= paths(purge_receiver)


def test_nothing_is_sent_without_a_frontend_cache(
    purge_receiver, settings, library, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {}
    resource = ResourcePageFactory(parent=library, title="Quiet", live=False)
    purge_receiver.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resource.save_revision().publish()
    assert purge_receiver == []
