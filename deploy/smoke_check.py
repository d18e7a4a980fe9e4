"""Visits an installed portal the way people and probes do (deploy/install-and-check.sh runs it).

Run with the installed virtualenv's python and the production environment, after ``portal
load_demo_data``, against a running gunicorn:

    VENV/bin/python deploy/smoke_check.py http://127.0.0.1:8765

It finds one live page of every public page type in the database, then over HTTP (as through a proxy
that terminated HTTPS: ``X-Forwarded-Proto: https``): the probes (by a host name the site does not
serve, as a load balancer asks), every page type, search, the sitemap, robots.txt, every feed and a
fingerprinted static file; then it signs in as the demo contributor and registers for an event, and
checks the registration in the database. Exits non-zero with the reason on the first failure.
"""

import http.client
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import django


def fail(message):
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


class Browser:
    """Just enough of a browser: cookies (the Secure ones too: the proxy speaks HTTPS), CSRF headers."""

    def __init__(self, base):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.site = f"{parts.hostname}:{parts.port}"
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, host=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        sent = {"Host": host or self.site, "X-Forwarded-Proto": "https", "User-Agent": "portal-smoke-check"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://{self.site}"
            sent["Referer"] = f"https://{self.site}{path}"
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response, content

    def get(self, path, expect=200, **kwargs):
        response, content = self.request("GET", path, **kwargs)
        if response.status != expect:
            fail(f"GET {path} answered {response.status}, not {expect}: {content[:300]!r}")
        if not response.getheader("X-Request-ID"):
            fail(f"GET {path} has no X-Request-ID header")
        return response, content

    def post(self, path, fields):
        return self.request("POST", path, body=urlencode(fields))


class Forms(HTMLParser):
    """Every <form> on a page: its action and the values a person would send without typing."""

    def __init__(self):
        super().__init__()
        self.forms, self._current, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {
                "action": attrs.get("action") or "",
                "method": attrs.get("method", "get").lower(),
            }
            self._current["fields"], self._current["radios"] = {}, {}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            name, kind = attrs["name"], attrs.get("type", "text").lower()
            if tag == "textarea":
                self._current["fields"].setdefault(name, "")
            elif kind == "radio":
                self._current["radios"].setdefault(name, attrs.get("value", ""))
                if "checked" in attrs:
                    self._current["fields"][name] = attrs.get("value", "")
            elif kind == "checkbox":
                if "checked" in attrs:
                    self._current["fields"][name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._current["fields"].setdefault(name, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_on(content):
    parser = Forms()
    parser.feed(content.decode())
    return parser.forms


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pages_to_visit():
    """One live, public page of every public page type, by the site's own models."""
    from events.models import EventIndexPage, EventPage
    from home.models import GuidancePage, HomePage
    from library.models import LibraryPage, ResourcePage
    from opportunities.models import OpportunityIndexPage, OpportunityPage

    found = {}
    for model in (
        HomePage,
        LibraryPage,
        ResourcePage,
        GuidancePage,
        EventIndexPage,
        EventPage,
        OpportunityIndexPage,
        OpportunityPage,
    ):
        page = model.objects.live().public().order_by("path").first()
        if page is None:
            fail(f"the demo data has no live {model.__name__}")
        found[model.__name__] = page
    return found


def event_to_register_for(user):
    from django.utils import timezone

    from events.models import EventPage

    now = timezone.now()
    for event in EventPage.objects.live().public().filter(start__gt=now).order_by("start"):
        if event.registration_state(now)[0] and event.places_left() and event.registration_of(user) is None:
            return event
    fail("no event in the demo data is open for the demo contributor to register")


def main(base):
    import portal

    installed = Path(portal.__file__).resolve()
    if "site-packages" not in installed.parts:
        fail(f"the portal was imported from {installed}, not from the installed wheel")
    browser = Browser(base)

    # Probes, as a load balancer sends them: plain HTTP, by an address the site does not serve.
    for path in ("/healthz", "/readyz"):
        response, content = browser.get(path, headers={"X-Forwarded-Proto": "http"}, host="10.11.12.13:8000")
        if response.getheader("Cache-Control") != "no-store":
            fail(f"{path} may be cached")
    ready = json.loads(content)
    if ready["status"] != "ready" or ready["checks"].get("cache_default") != "ok":
        fail(f"/readyz says {ready}")
    print("ok  /healthz, /readyz", ready["checks"])

    # Every public page type.
    pages = pages_to_visit()
    for kind, page in pages.items():
        _, content = browser.get(path_of(page.get_url()))
        if page.title.encode() not in content.replace(b"&#x27;", b"'").replace(b"&amp;", b"&"):
            fail(f"{kind} {page.get_url()} does not show its title {page.title!r}")
        print(f"ok  {kind:<21} {page.get_url()}")

    # A fingerprinted static file, as the home page links it (collectstatic and whitenoise).
    _, home = browser.get("/")
    stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home)
    if not stylesheet:
        fail("the home page links no fingerprinted stylesheet")
    response, _ = browser.get(stylesheet.group(1).decode())
    if "immutable" not in (response.getheader("Cache-Control") or ""):
        fail("static files are not served as immutable")
    print("ok  static", stylesheet.group(1).decode())

    word = pages["GuidancePage"].title.split()[0]
    library = f"/library/{pages['LibraryPage'].pk}/"
    listings = [
        (f"/search/?{urlencode({'q': word})}", b"<html"),
        ("/sitemap.xml", b"<urlset"),
        ("/robots.txt", b"Sitemap:"),
        ("/feeds/guidance.rss", b"<rss"),
        ("/feeds/guidance.atom", b"<feed"),
        (f"{library}feed.rss", b"<rss"),
        (f"{library}feed.atom", b"<feed"),
        ("/events/feed.ics", b"BEGIN:VCALENDAR"),
    ]
    for path, marker in listings:
        _, content = browser.get(path)
        if marker not in content:
            fail(f"{path} does not contain {marker!r}")
        print(f"ok  {path}")

    # Sign in as the demo contributor, then register for an event.
    from django.contrib.auth import get_user_model

    from events.models import Registration
    from home.demo import DEMO_PASSWORD

    email = "contributor@example.org"
    _, content = browser.get("/account/sign-in/")
    form = next(f for f in forms_on(content) if "username" in f["fields"])
    response, content = browser.post(
        "/account/sign-in/", {**form["fields"], "username": email, "password": DEMO_PASSWORD}
    )
    if response.status != 302:
        fail(f"signing in answered {response.status}: {content[:500]!r}")
    print(f"ok  signed in as {email}")

    user = get_user_model().objects.get(email=email)
    event = event_to_register_for(user)
    event_path = path_of(event.get_url())
    _, content = browser.get(event_path)
    form = next((f for f in forms_on(content) if "preferred_contact" in f["radios"]), None)
    if form is None:
        fail(f"{event_path} shows the contributor no registration form")
    fields = {**form["radios"], **form["fields"]}
    fields.update({"name": fields.get("name") or "Chris Contributor", "email": fields.get("email") or email})
    response, content = browser.post(path_of(urljoin(event_path, form["action"])), fields)
    if response.status not in (302, 303):
        fail(f"registering answered {response.status}: {content[:800]!r}")
    registration = Registration.objects.filter(event=event, email=email).first()
    if registration is None:
        fail(f"registering for {event.title!r} stored no registration")
    print(f"ok  registered for {event.title!r}: {registration.get_status_display()}")
    browser.get(path_of(response.getheader("Location")))
    print("All checks passed.")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} BASE_URL (e.g. http://127.0.0.1:8765)")
    django.setup()
    main(sys.argv[1])
