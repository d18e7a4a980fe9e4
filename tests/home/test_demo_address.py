"""`make run` serves at HOST:PORT; the demo points the default Site there, so links in e-mails open."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from wagtail.models import Site

from events import services
from events.models import EventPage

pytestmark = pytest.mark.django_db


def test_the_demo_site_and_its_e_mail_links_follow_host_and_port(monkeypatch, on_commit_now):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 8123)
    assert "Site address: http://localhost:8123" in out.getvalue()
    assert "Admin: http://localhost:8123/admin/" in out.getvalue()
    mail.outbox.clear()
    for event in EventPage.objects.live().filter(start__gt=timezone.now()).order_by("start"):
        try:
            services.register(event, data={"name": "Sam Visitor", "email": "sam@example.org", "phone": ""})
        except services.RegistrationRefused:
            continue  # not open yet, or full without a waiting list: the next one
        break
    links = [word for message in mail.outbox for word in message.body.split() if word.startswith("http")]
    ours = [link for link in links if "localhost" in link or "127.0.0.1" in link]  # not the joining link
    assert len(ours) >= 2 and all(link.startswith("http://localhost:8123/") for link in ours), links


def test_an_address_given_explicitly_wins_and_a_wrong_one_is_refused():
    call_command("load_demo_data", "--address", "https://portal.test", stdout=StringIO())
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("portal.test", 443)
    with pytest.raises(CommandError, match="is not an address"):
        call_command("load_demo_data", "--address", "not an address", stdout=StringIO())
