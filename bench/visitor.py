"""A visitor who registers for events over HTTP, as a browser would: GET the event page (the csrftoken
cookie and the form's csrfmiddlewaretoken), then POST the registration form (events/forms.py) to it."""

import http.client
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Visitor:
    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.token = None

    def _send(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        return response, content

    def open_form(self, path):
        """GETs the event page, keeping its CSRF cookie and form token; returns the status."""
        response, content = self._send("GET", path)
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            if "csrftoken" in cookie:
                self.cookie = cookie["csrftoken"].value
        found = TOKEN.search(content.decode("utf-8", "replace"))
        self.token = found.group(1) if found else None
        return response.status

    def register(self, path, email, name, carer=False):
        """POSTs a valid registration; returns (status, Location, seconds). A new place answers 302 to its
        manage page (events.views.register)."""
        data = {
            "csrfmiddlewaretoken": self.token,
            "name": name,
            "email": email,
            "phone": "",
            "preferred_contact": "email",
            "dietary_needs": "",
            "access_needs_other": "",
        }
        if carer:
            data.update(brings_carer="on", carer_name="A carer")
        started = time.perf_counter()
        response, _content = self._send(
            "POST",
            path,
            body=urlencode(data),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={self.cookie}",
            },
        )
        return response.status, response.getheader("Location") or "", time.perf_counter() - started


def registered(status, location):
    """Whether an answer to `Visitor.register` made a new place (confirmed or waiting)."""
    return status in (301, 302, 303) and "/events/manage/" in location
