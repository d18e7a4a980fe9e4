"""portal.http.client_ip: the one place that says where a request came from."""

import pytest
from django.test import RequestFactory

from portal.http import client_ip


def request(remote="192.0.2.10", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="203.0.113.5")) == "192.0.2.10"


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        # Fewer entries than proxies, or rubbish where the address should be: the connection's address.
        (2, "203.0.113.5", "192.0.2.10"),
        (1, "", "192.0.2.10"),
        (1, "not-an-address", "192.0.2.10"),
        (1, "203.0.113.5\x00", "192.0.2.10"),
        (1, "203.0.113.5," + "9" * 10_000, "192.0.2.10"),
    ],
)
def test_trusted_proxies_count_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(forwarded=forwarded)) == expected


def test_missing_or_broken_remote_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote="")) == "unknown"
    assert client_ip(request(remote="garbage")) == "unknown"


def test_settings_trust_no_proxy_by_default_and_production_one():
    from tests.portal.test_settings import PRODUCTION, run_manage

    show = "from django.conf import settings as s; print('proxies', s.TRUSTED_PROXY_COUNT)"
    dev = run_manage("shell", "-c", show, DJANGO_SETTINGS_MODULE="portal.settings.dev")
    production = run_manage("shell", "-c", show, **PRODUCTION)
    direct = run_manage("shell", "-c", show, **PRODUCTION, TRUSTED_PROXY_COUNT="0")
    assert "proxies 0" in dev.stdout, dev.stderr
    assert "proxies 1" in production.stdout, production.stderr
    assert "proxies 0" in direct.stdout, direct.stderr
