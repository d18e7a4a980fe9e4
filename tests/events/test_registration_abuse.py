"""Event registration keeps scripts out as the other public forms do: a honeypot field, and a limit per
client address (each registration e-mails the address it names)."""

import pytest
from django.core import mail

from events.models import Registration

pytestmark = pytest.mark.django_db


def form_data(n, **overrides):
    data = {"name": f"Person {n}", "email": f"p{n}@example.org", "preferred_contact": "email"}
    data.update(overrides)
    return data


def test_the_honeypot_refuses_and_keeps_nothing(client, event, django_capture_on_commit_callbacks):
    page = client.get(event.url).text
    assert 'class="honeypot"' in page and 'name="website"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(event.url, form_data(1, website="http://spam.example"))
    assert response.status_code == 400 and "leave the last field empty" in response.text
    assert not Registration.objects.exists() and mail.outbox == []


def test_registration_is_rate_limited_per_client_address(client, event_factory, settings):
    settings.EVENTS_REGISTER_RATE_LIMIT = (3, 3600)
    event = event_factory(capacity=None)
    codes = [
        client.post(event.url, form_data(n), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(6)
    ]
    # The forwarded header is not trusted (TRUSTED_PROXY_COUNT 0): every post counts against one address.
    assert codes == [302] * 3 + [400] * 3
    assert Registration.objects.count() == 3
    refused = client.post(event.url, form_data(9, name="Keep me"))
    assert "wait a few minutes" in refused.text and 'value="Keep me"' in refused.text
    # Another client address has its own allowance.
    other = client.post(event.url, form_data(10), REMOTE_ADDR="203.0.113.5")
    assert other.status_code == 302 and Registration.objects.count() == 4


def test_the_bench_settings_lift_the_limit():
    from portal.settings import bench

    count, _window = bench.EVENTS_REGISTER_RATE_LIMIT
    assert count >= 10**6
